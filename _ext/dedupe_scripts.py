"""Drop exact duplicates among a page's inline <script> blocks.

sphinx-thebe and sphinx-togglebutton (loaded by Jupyter Book 1 on every
page) register their inline configuration scripts twice in one build, once
with filename None and once with filename ''; the second thebe copy
re-declares a `const` and raises a SyntaxError in the browser console on
every page.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
