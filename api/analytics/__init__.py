"""Service analytics for supervisors and editors: figures (`figures`), tables with small cells
suppressed and CSV (`tables`), SVG charts (`charts`), synthetic demo history (`demo`)."""
