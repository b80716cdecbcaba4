"""HTTP/1.1 chunked transfer coding of a request body, for the tests that
prove chunked bodies are read like any other (unit and over a socket)."""


def encode(data, size, extension=b''):
    """``data`` in chunks of ``size`` bytes and the last, empty chunk.

    :param extension: a chunk extension (``b';ext=1'``) after each size,
        which a server must accept and ignore.
    """
    out = b''
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += b'%x%s\r\n%s\r\n' % (len(piece), extension, piece)
    return out + b'0\r\n\r\n'
