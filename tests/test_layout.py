"""The layout holds: no import cycle, storage without telegram, flows without a database
driver, no job importing a module that defines handlers, every package saying what it holds."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "domain", "flows", "storage")
HANDLER_CLASSES = {"CallbackQueryHandler", "CommandHandler", "ConversationHandler",
                   "MessageHandler", "TypeHandler"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> tuple[set[str], set[str]]:
    """(product modules imported, names imported from telegram.ext), at any depth of the
    file (a lazy import inside a function counts), except under `if TYPE_CHECKING:`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    modules: set[str] = set()
    from_ext: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                if base == "telegram.ext":
                    from_ext.update(alias.name for alias in node.names)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    modules.add(full if full in MODULES else base)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    product = set()
    for imported in modules:
        while imported and imported not in MODULES:
            imported = imported.rpartition(".")[0]
        if imported and imported != name:
            product.add(imported)
    return product, from_ext


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v][0]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            connect(v)
    return found


def test_no_import_cycle_anywhere() -> None:
    assert _cycles() == []


def test_the_checker_sees_a_cycle_when_there_is_one() -> None:
    assert "domain.khmer" in GRAPH["domain.amounts"][0]  # amounts reads Khmer digits
    GRAPH["domain.khmer"][0].add("domain.amounts")  # a made-up edge back
    try:
        assert ["domain.amounts", "domain.khmer"] in _cycles()
    finally:
        GRAPH["domain.khmer"][0].discard("domain.amounts")


def test_storage_imports_no_telegram_and_flows_no_database_driver() -> None:
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        roots = {alias.name.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.Import) for alias in node.names}
        roots |= {node.module.split(".")[0] for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        if name.startswith("storage"):
            assert "telegram" not in roots, name
        if name.startswith(("flows", "domain")):
            assert not roots & {"sqlite3", "aiosqlite", "psycopg"}, name


def test_no_job_imports_a_module_that_defines_handlers() -> None:
    handler_modules = {name for name, (_, from_ext) in GRAPH.items()
                       if from_ext & HANDLER_CLASSES}
    assert "flows.returnee.start" in handler_modules  # the check sees handler modules
    for name, (imported, _) in GRAPH.items():
        if name.startswith("bot.jobs"):
            assert not imported & handler_modules, (name, imported & handler_modules)


def test_every_package_says_what_it_holds() -> None:
    for name, path in MODULES.items():
        if path.name == "__init__.py" and "data" not in name and "locales" not in name:
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            # A sentence, not a placeholder: what the package holds.
            assert docstring and len(docstring.split()) >= 5, name
