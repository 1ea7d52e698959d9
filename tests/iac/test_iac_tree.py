"""YAML and JSON templates as located trees: intrinsic tags, merge keys, hostile input."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from analyzer.iac.tree import (
    Intrinsic,
    Node,
    TemplateLoader,
    TemplateSyntaxError,
    json_tree,
    yaml_tree,
)


def test_short_form_tags_read_as_their_long_form_with_the_line_of_the_tag() -> None:
    tree = yaml_tree(
        "Runtime: !Ref PythonRuntime\n"
        "Arn: !GetAtt Layer.Arn\n"
        "Name: !Sub\n"
        "  - '${Stage}-orders'\n"
        "  - Stage: prod\n"
    )

    runtime = tree.get("Runtime")
    assert runtime is not None and runtime.intrinsic == Intrinsic("Ref", runtime.intrinsic.argument)
    assert (runtime.line, runtime.column) == (1, 10)
    assert runtime.intrinsic.argument.value == "PythonRuntime"
    arn = tree.get("Arn")
    assert arn is not None and arn.intrinsic is not None
    assert (arn.intrinsic.name, arn.intrinsic.argument.value) == ("Fn::GetAtt", "Layer.Arn")
    name = tree.get("Name")
    assert name is not None and name.intrinsic is not None
    assert name.intrinsic.name == "Fn::Sub"
    assert [item.line for item in name.intrinsic.argument.items] == [4, 5]


def test_the_loader_gives_plain_data_in_the_long_form() -> None:
    data = yaml.load("Layers:\n  - !Ref Shared\nIf: !If [IsProd, a, b]\n", TemplateLoader)

    assert data == {"Layers": [{"Ref": "Shared"}], "If": {"Fn::If": ["IsProd", "a", "b"]}}


def test_a_long_form_mapping_is_an_intrinsic_too() -> None:
    tree = yaml_tree("Code:\n  Fn::Sub: 'src/${Name}'\nRef: not-alone\nOther: 1\n")

    code = tree.get("Code")
    assert code is not None and code.intrinsic is not None and code.intrinsic.name == "Fn::Sub"
    assert tree.mapping.keys() == {"Code", "Ref", "Other"}


def test_merge_keys_are_flattened_and_keep_the_lines_of_the_anchor() -> None:
    tree = yaml_tree(
        "defaults: &d\n  runtime: python3.9\n  memory: 128\nfn:\n  <<: *d\n  memory: 256\n"
    )

    function = tree.get("fn")
    assert function is not None
    runtime, memory = function.get("runtime"), function.get("memory")
    assert runtime is not None and (runtime.value, runtime.line) == ("python3.9", 2)
    assert memory is not None and (memory.value, memory.line) == (256, 6)


def test_key_positions_are_kept_for_mappings() -> None:
    tree = yaml_tree("Resources:\n\n  Orders:\n    Type: x\n")
    resources = tree.get("Resources")

    assert resources is not None and resources.key_position("Orders") == (3, 3)


def test_a_billion_laughs_document_is_converted_in_linear_time() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    started = time.perf_counter()

    tree = yaml_tree("\n".join(levels) + "\n")

    assert time.perf_counter() - started < 2
    top = tree.get("a8")
    assert top is not None and len(top.items) == 10
    # Shared nodes are shared, not copied: 10**9 leaves are never built.
    assert top.items[0] is top.items[1]


def test_yaml_syntax_errors_name_the_line() -> None:
    with pytest.raises(TemplateSyntaxError) as raised:
        yaml_tree("Resources:\n  Orders:\n    Type: [unclosed\n")

    assert raised.value.line == 4
    assert str(raised.value).startswith("not valid YAML:")


def test_python_tags_are_never_instantiated() -> None:
    tree = yaml_tree("evil: !!python/object/apply:os.system ['true']\n")

    evil = tree.get("evil")
    assert evil is not None and isinstance(evil.value, list)
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("evil: !!python/object/apply:os.system ['true']\n", TemplateLoader)


def test_json_values_keep_their_line_and_column() -> None:
    text = (
        '{\n  "Resources": {\n    "Fn": {"Runtime": "python3.9",\n'
        ' "Layers": [{"Ref": "L"}]}\n  }\n}\n'
    )

    tree = json_tree(text)

    function = tree.find("Resources", "Fn")
    assert function is not None
    runtime = function.get("Runtime")
    assert runtime is not None and (runtime.value, runtime.line, runtime.column) == (
        "python3.9",
        3,
        23,
    )
    layers = function.get("Layers")
    assert layers is not None
    layer = layers.items[0]
    assert layer.intrinsic is not None and layer.intrinsic.name == "Ref"
    assert (layer.line, layer.column) == (4, 13)
    assert function.key_position("Layers") == (4, 2)


def test_json_strings_with_escapes_and_numbers_decode_as_json_does() -> None:
    document = {"a": 'quote " and \\ and \u00e9 and \n', "b": [1, 2.5, -3e2, True, None]}

    tree = json_tree(json.dumps(document, indent=1))

    assert _plain(tree) == document


def test_json_that_the_standard_library_refuses_is_refused_with_its_line() -> None:
    with pytest.raises(TemplateSyntaxError) as raised:
        json_tree('{\n  "a": 1,\n  "b": \n}\n')

    assert raised.value.line == 4
    with pytest.raises(TemplateSyntaxError):
        json_tree('{"a": NaN}')


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(TemplateSyntaxError):
        json_tree("[" * 500 + "]" * 500)
    with pytest.raises(TemplateSyntaxError):
        yaml_tree("a: " + "[" * 500 + "]" * 500 + "\n")


def _plain(node: Node) -> object:
    if isinstance(node.value, dict):
        return {key: _plain(value) for key, value in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(item) for item in node.value]
    return node.value
