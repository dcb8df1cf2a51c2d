"""Code tables: CAMEO codes, Goldstein values, quad classes and their PLOVER type, mode and context."""

from nexus.ontology.cameo import PLOVER_TYPES, CameoCode, cameo_code, cameo_table

__all__ = ["PLOVER_TYPES", "CameoCode", "cameo_code", "cameo_table"]
