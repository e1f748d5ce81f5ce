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
