"""Admin of 资源性资产: generated from each record type's spec."""
