"""IAM documents, the service roles assembled from each stage's grants, and the execution role."""
