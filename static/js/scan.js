/* Scanning: filled by the scanning work (issue 8). */
