from .test_summary import world

__all__ = ["world"]
