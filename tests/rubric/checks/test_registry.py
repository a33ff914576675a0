"""Every check type in the registry has its own test file here that runs its docstring examples."""
from pathlib import Path

from qa_pipeline.rubric.checks import CHECK_TYPES


def test_every_check_type_has_a_test_file():
    here = Path(__file__).parent
    missing = [t for t in CHECK_TYPES if not (here / f"test_{t}.py").is_file()]
    assert not missing, f"add tests/rubric/checks/test_<type>.py for: {missing}"
