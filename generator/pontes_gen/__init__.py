"""pontes-gen: OpenAPI 3.x -> C structs, descriptor tables and request functions."""
