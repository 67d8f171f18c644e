"""Synthetic complaint histories, a committed sample and example column mappings."""
