/// FNV-1a (64-bit) of a text's UTF-8 bytes: a seed or key that depends on the text alone, not on which other texts
/// are around it (a condition's cells, a label's split).
public func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return h
}
