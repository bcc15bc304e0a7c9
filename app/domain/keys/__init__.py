"""Encryption keys (加密密钥): versions, rotation, and what still decrypts what."""
