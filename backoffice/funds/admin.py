"""Admin of 资金监测: generated from each record type's spec."""
