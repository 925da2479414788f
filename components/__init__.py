"""Guarded AWS delivery pipeline components."""
