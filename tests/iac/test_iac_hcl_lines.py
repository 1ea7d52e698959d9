"""The HCL outline finds each attribute at its own block's level, whatever surrounds it."""

from __future__ import annotations

import textwrap

import pytest

from analyzer.iac.hcl_lines import HclLayoutError, Position, outline

TRICKY = textwrap.dedent(
    """\
    # runtime = "python3.8" in a comment
    /* runtime = "python3.7"
       runtime = "python3.6" */
    resource "aws_lambda_function" "orders" {
      description = "runtime = python3.6 ${var.x} }"
      runtime     = var.runtime // trailing comment
      environment {
        variables = {
          runtime = "not this one"
          other   = "y"
        }
      }
      policy = <<EOF
      runtime = "nor this" {
    EOF
      compatible_runtimes = [
        "python3.9",
        var.extra, "python3.12"
      ]
      tags = { team = "a", "cost-center" = "b" }
      enabled = var.a == var.b ? true : false
    }
    locals { arch = "arm64" }
    """
)


def test_attributes_are_found_at_their_block_level_only() -> None:
    root = outline(TRICKY)

    resource = root.block("resource", "aws_lambda_function", "orders")
    assert resource is not None and resource.position == Position(4, 1)
    assert list(resource.attributes) == [
        "description",
        "runtime",
        "policy",
        "compatible_runtimes",
        "tags",
        "enabled",
    ]
    assert resource.attributes["runtime"].position == Position(6, 3)
    assert resource.attributes["runtime"].value == Position(6, 17)
    environment = resource.block("environment")
    assert environment is not None and environment.attributes["variables"].entries == {
        "runtime": Position(9, 17),
        "other": Position(10, 17),
    }


def test_each_element_of_a_list_has_its_own_position() -> None:
    resource = outline(TRICKY).block("resource", "aws_lambda_function", "orders")
    assert resource is not None

    assert resource.attributes["compatible_runtimes"].elements == [
        Position(17, 5),
        Position(18, 5),
        Position(18, 16),
    ]
    assert resource.attributes["tags"].entries == {
        "team": Position(20, 19),
        "cost-center": Position(20, 40),
    }


def test_a_one_line_block_and_a_heredoc_do_not_end_the_outline_early() -> None:
    locals_block = outline(TRICKY).block("locals")

    assert locals_block is not None
    assert locals_block.attributes["arch"].value == Position(23, 17)


@pytest.mark.parametrize(
    "text",
    [
        'resource "a" "b" {\n  x = "unclosed\n}\n',
        'resource "a" "b" {\n  x = 1\n',
        "/* never closed\n",
        "x = <<EOT\nno end\n",
    ],
    ids=["string", "block", "comment", "heredoc"],
)
def test_text_that_does_not_close_is_an_error(text: str) -> None:
    with pytest.raises(HclLayoutError):
        outline(text)


def test_a_dollar_dollar_brace_is_literal_text_in_a_string() -> None:
    root = outline('x = "$${not_a_template"\ny = 2\n')

    assert list(root.attributes) == ["x", "y"]
    assert root.attributes["y"].position == Position(2, 1)
