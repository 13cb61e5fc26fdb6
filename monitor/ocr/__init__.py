"""The OCR stage: the text in downloaded photos read with Tesseract (`worker.run_ocr`)."""
