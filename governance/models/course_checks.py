"""Course checks (koerschecks): is the chain still on course on content, procedure, relations and culture."""
