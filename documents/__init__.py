"""Documents for print and for Excel (PDF, XLSX, CSV): pure rendering of the facts handed in
by the caller; no storage, no chat."""
