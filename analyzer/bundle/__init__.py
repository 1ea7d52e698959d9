"""What a deployment package holds: components, layers, native extensions, imports."""
