"""The type stubs ship in the wheel and say what the package has."""

import ast
import inspect
from pathlib import Path

import stancekit

PACKAGE = Path(stancekit.__file__).parent


def stub_tree():
    return ast.parse((PACKAGE / "__init__.pyi").read_text(encoding="utf-8"))


def test_the_wheel_ships_the_stubs_and_py_typed():
    for name in ("__init__.pyi", "_stancekit.pyi", "py.typed"):
        assert (PACKAGE / name).exists(), name


def test_every_public_name_is_in_the_stubs_with_the_same_parameters():
    tree = stub_tree()
    stubbed = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubbed[node.name] = node
        elif isinstance(node, ast.AnnAssign):
            stubbed[node.target.id] = node
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                stubbed[a.asname or a.name] = node
    for name in stancekit.__all__:
        assert name in stubbed, name
        node = stubbed[name]
        if isinstance(node, ast.FunctionDef):
            a = node.args
            params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
            assert params == list(inspect.signature(getattr(stancekit, name)).parameters), name
    for cls in (stancekit.Model, stancekit.Pipeline):
        methods = {n.name: n for n in stubbed[cls.__name__].body if isinstance(n, ast.FunctionDef)}
        public = {n for n in vars(cls) if not n.startswith("_")}
        assert public <= set(methods), public - set(methods)
    # Model() is made by load, embedded and train; Pipeline() by the user.
    init = next(n for n in stubbed["Pipeline"].body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    params = [p.arg for p in init.args.args[1:]]
    assert params == list(inspect.signature(stancekit.Pipeline).parameters)


def test_every_public_function_has_a_docstring_with_an_example():
    for name in ["predict", "extract", "predict_many", "classify", "train", "evaluate", "to_rows"]:
        doc = getattr(stancekit, name).__doc__
        assert doc and ">>>" in doc, name
