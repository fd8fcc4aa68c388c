"""Griffe extension for the documentation site: renders Keras 2 docstring sections.

Keras docstrings mark their sections with Markdown headings (`# Arguments`, `# Returns`,
`# Raises`, `# Example`, `# Input shape`, ...) followed by a block indented by four
spaces. Left as they are, the indented blocks would render as code. This extension rewrites
each docstring, once it is loaded, into plain Markdown: the heading becomes a bold label,
`name: text` entries of the argument-like sections become a list with the name in code, and
the other blocks are dedented.
"""
import re
import textwrap

import griffe

LIST_SECTIONS = {'arguments', 'args', 'keyword arguments', 'raises', 'properties',
                 'attributes'}
HEADING = re.compile(r'^#{1,3} (?P<title>[A-Za-z][A-Za-z0-9 _()\'-]*)$')
ENTRY = re.compile(r'^(?P<name>\*{0,2}[A-Za-z_][\w.,\[\] *=()\'-]*?):(?: (?P<text>.*))?$')


def _indent(line):
    return len(line) - len(line.lstrip(' '))


def _list_block(lines):
    """`name: text` entries (continuation lines indented further) as a Markdown list."""
    body = textwrap.dedent('\n'.join(lines)).split('\n')
    items = []
    for line in body:
        if not line.strip():
            continue
        match = ENTRY.match(line) if _indent(line) == 0 else None
        if match:
            items.append(['`%s`: %s' % (match.group('name'), match.group('text') or '')])
        elif items:
            items[-1].append(line.strip())
        else:                    # text before the first entry
            items.append([line.strip()])
    return ['- ' + ' '.join(part for part in item if part) for item in items]


def keras_to_markdown(text):
    """The Markdown rendering of a Keras-style docstring."""
    lines = text.split('\n')
    out = []
    i = 0
    while i < len(lines):
        match = HEADING.match(lines[i].strip()) if _indent(lines[i]) == 0 else None
        if not match:
            out.append(lines[i])
            i += 1
            continue
        title = match.group('title')
        j = i + 1
        while j < len(lines) and not (_indent(lines[j]) == 0 and HEADING.match(lines[j])):
            j += 1
        block = lines[i + 1:j]
        while block and not block[-1].strip():
            block.pop()
        out.extend(['', '**%s**' % title, ''])
        rest = []
        if title.lower() in LIST_SECTIONS:
            # the entries are the indented lines; text back at the heading's indentation
            # after them is a paragraph of its own
            end = next((k for k, l in enumerate(block) if l.strip() and _indent(l) < 4),
                       len(block))
            block, rest = block[:end], block[end:]
            out.extend(_list_block(block))
        else:
            out.extend(textwrap.dedent('\n'.join(block)).split('\n'))
        if rest:
            out.extend([''] + textwrap.dedent('\n'.join(rest)).split('\n'))
        out.append('')
        i = j
    return '\n'.join(out).strip('\n')


class KerasDocstrings(griffe.Extension):
    """Rewrites every loaded docstring with `keras_to_markdown`."""

    def on_object(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = keras_to_markdown(obj.docstring.value)
