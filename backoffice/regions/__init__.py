"""Regions (行政区划, 12-digit statistical codes) and collective economic organisations (集体经济组织)."""
