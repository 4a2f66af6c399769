"""Software-defined assets: raw -> staging -> indicators -> evaluation -> reports."""
