"""Evidence: captures kept, batches timestamped by an RFC 3161 TSA, WACZ export and verify."""
