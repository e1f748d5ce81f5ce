"""The sslverify command line: list, check, errors."""
from __future__ import annotations

import json

from theory.cli import main


def test_list_json_has_all_ids_and_keys(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 72
    for key in ("id", "source", "statement", "verdict", "assumptions", "correction", "counterexample", "evidence"):
        assert key in data[0]


def test_unknown_claim_exits_2_with_one_line(capsys):
    assert main(["check", "ziyin.nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


def test_pending_claim_does_not_pass_check(capsys, tmp_path, monkeypatch):
    """A pending claim has nothing to reproduce: check must not exit 0 for it."""
    from theory.claims import Claim, Source
    import theory.cli as cli

    pending = Claim("ziyin.eq2", Source("001_e494beef9b3e9713.txt", "§1"), "s", covered_by="issue 2")
    monkeypatch.setattr(cli, "select", lambda ids: [pending])
    assert main(["check", "ziyin.eq2", "--out", str(tmp_path)]) == 1
    assert "PENDING" in capsys.readouterr().out


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["report", "--quick", "--out", str(blocker / "sub")]) == 2
    assert "not writable" in capsys.readouterr().err
