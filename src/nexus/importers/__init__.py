"""Event datasets into a Nexus store: GDELT 1.0 and 2.0 event tables and ICEWS coded event
files, plain or zipped, streamed in Arrow batches. Each imported event keeps its dataset and
id there (`events.origin`, `events.origin_id`), so coded and imported events can be compared
dyad by dyad; re-importing a file adds nothing twice.

    from nexus.importers import DATASETS, import_files
    import_files(store, DATASETS["gdelt"], ["20240101.export.CSV.zip"])
"""

from nexus.importers import gdelt, icews
from nexus.importers.common import (
    Dataset,
    ImportStats,
    Row,
    RowError,
    import_file,
    import_files,
)

#: The datasets `nexus import` reads, by name.
DATASETS: dict[str, Dataset] = {d.name: d for d in (gdelt.DATASET, icews.DATASET)}

__all__ = ["DATASETS", "Dataset", "ImportStats", "Row", "RowError", "import_file", "import_files"]
