import YAMLDocuments

/// Why a port matrix cannot be loaded: where, which key, and what is wrong with it.
public typealias PortMatrixError = DocumentError
