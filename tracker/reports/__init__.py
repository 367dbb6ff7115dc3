"""Reports for the care team: server-drawn SVG charts and the PDF report."""
