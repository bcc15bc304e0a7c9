"""Uploaded files (上传文件): one intake for materials, objection and verification evidence and unit-posting proofs.

- ``policy``: what each kind of file may be (size, types, count) and where it is kept, as data;
- ``filetypes``: what a file is, from its bytes;
- ``names``: the name a stored file is given;
- ``refusals``: why a file is refused, one vocabulary for every route;
- ``intake``: receive, check, name and store a file (the only way a file enters the service);
- ``blobs``: where files live (local disk, 0600/0700, or an S3-compatible bucket);
- ``sealing``: files encrypted at rest (chunked AES-GCM under a versioned key);
- ``sweep``: deleting stored files no record names.
"""
