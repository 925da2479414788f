"""What every service of a stack shares: names, tags, the reference idiom, key and bucket, topic, monitoring."""
