"""资源性资产 (Resource assets and fixed-asset register): monitoring module."""
