"""The ``complaint`` check type: the PASS/FAIL examples in its docstring (complaint.py) hold."""
from check_examples import assert_docstring_examples_hold


def test_docstring_examples():
    assert_docstring_examples_hold("complaint")
