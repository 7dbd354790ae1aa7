"""Spec texts several test files share (imported like geometry_checks; conftest.py is not imported)."""

#: A spec whose blocks[1] has a misspelt field (``txet``) on line 7, column 5: the located-error case
#: for the CLI, batch and watch tests.
TYPO_SPEC = """\
title: 坏样
width: 540
blocks:
  - type: heading
    text: 标题
  - type: paragraph
    txet: 拼错了字段名
"""
