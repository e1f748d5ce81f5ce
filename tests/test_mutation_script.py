"""benchmarks/mutation.py's test ordering: killer first changes only the order of a mutant's tests, never the set."""
import importlib.util
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("mutation_script", Path(__file__).resolve().parents[1] / "benchmarks" / "mutation.py")
mutation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutation)


def test_no_record_keeps_the_order(tmp_path):
    assert mutation.killer_first(["a", "b"], tmp_path / "none") == ["a", "b"]


def test_latest_killer_first_then_the_rest_in_order(tmp_path):
    rec = tmp_path / "f"
    rec.write_text("t::b\nt::x[one two]\nt::c\nt::b\n")  # t::x[...] is not a test of this mutant
    assert mutation.killer_first(["t::a", "t::b", "t::c", "t::d"], rec) == ["t::b", "t::c", "t::a", "t::d"]


@given(st.lists(st.text("abc", min_size=1, max_size=3), unique=True),
       st.lists(st.text("abcd", min_size=1, max_size=3)))
def test_same_tests_each_once(tests, killers):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        rec = Path(d) / "f"
        rec.write_text("".join(k + "\n" for k in killers))
        out = mutation.killer_first(tests, rec)
    assert sorted(out) == sorted(tests)
    rest = [t for t in out if t not in set(killers)]
    assert rest == [t for t in tests if t not in set(killers)]


def test_review_lists_have_names_reasons_and_fingerprints():
    """Every entry of the equivalent / unkillable lists parses: a mutant name, a reason, the reviewed diff's
    fingerprint; no mutant is in both lists."""
    eq, unk = mutation.load_equivalent(), mutation.load_equivalent(mutation.UNKILLABLE)
    assert eq and unk
    for entries in (eq, unk):
        for name, (reason, fp) in entries.items():
            assert "__mutmut_" in name and reason and fp and len(fp) == 10, name
    assert not set(eq) & set(unk)


def test_mutation_verify_rejects_bad_arguments(tmp_path):
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "mutation_verify.py"
    usage = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage" in usage.stderr
    nowork = subprocess.run([sys.executable, str(script), str(tmp_path), "x", "tests/theory/test_small_w.py"],
                            capture_output=True, text=True)
    assert nowork.returncode == 2 and "WORKDIR" in nowork.stderr and nowork.stderr.count("\n") == 1


def test_a_reused_workdir_loses_the_files_the_checkout_no_longer_has(tmp_path):
    """A test file renamed in the checkout must not stay collected in a reused workdir (both the copy and
    mutmut's mutants/ copy); a source module's .meta record goes with it; wanted files and non-Python files stay."""
    for rel in ("tests/theory/test_old.py", "tests/theory/test_kept.py", "mutants/tests/theory/test_old.py",
                "mutants/sslverify/theory/gone.py", "mutants/sslverify/theory/gone.py.meta",
                "sslverify/theory/kept.py", "tests/theory/data.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    removed = mutation.remove_stale(tmp_path, {"tests/theory/test_kept.py", "sslverify/theory/kept.py"})
    assert sorted(removed) == ["mutants/sslverify/theory/gone.py", "mutants/tests/theory/test_old.py",
                               "tests/theory/test_old.py"]
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["sslverify/theory/kept.py", "tests/theory/data.json", "tests/theory/test_kept.py"]
