"""Every notebook runs from top to bottom, small, and is stored without outputs.

The notebooks read their work size from environment variables (replications, horizon days,
staffing levels, worker processes); the kernel inherits the variables set here, so the run is
small. Any cell error fails the test with the cell's traceback.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = (
    "01_scale_up_planning.ipynb",
    "02_penalty_clause_sizing.ipynb",
    "03_from_history.ipynb",
)
SMALL = {
    "CCPLAN_NOTEBOOK_REPLICATIONS": "2",
    "CCPLAN_NOTEBOOK_DAYS": "7",
    "CCPLAN_NOTEBOOK_LEVELS": "0.9,1",
    "CCPLAN_NOTEBOOK_WORKERS": "1",
}
CELL_TIMEOUT_S = 300


def test_every_notebook_is_listed():
    assert sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == []
        assert cell.execution_count is None


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_small(name, monkeypatch, tmp_path):
    for variable, value in SMALL.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("CCPLAN_NOTEBOOK_RESULTS", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    images = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert images, "the notebook drew no figure"
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    written = [path.name for path in tmp_path.iterdir()]
    assert written, "the notebook wrote no results folder"
