"""The ``use`` check type: the PASS/FAIL examples in its docstring (logic.py) hold."""
from check_examples import assert_docstring_examples_hold


def test_docstring_examples():
    assert_docstring_examples_hold("use")
