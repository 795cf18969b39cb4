// libFuzzer target: the codec Reader driven by the input itself. The first
// bytes choose which reads to make, the rest is read; no sequence of reads
// may crash, read out of bounds or fail without naming its field.
#include "model/codec/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t plan_size = std::min<size_t>(data[0], size - 1);
  fluence::codec::Reader reader(fluence::ByteView(data + 1 + plan_size, size - 1 - plan_size));
  for (size_t i = 0; i < plan_size && reader.ok(); ++i) {
    switch (data[1 + i] % 9) {
      case 0: reader.u8("f"); break;
      case 1: reader.u16("f"); break;
      case 2: reader.u32("f"); break;
      case 3: reader.u64("f"); break;
      case 4: reader.varint("f"); break;
      case 5: reader.bytes("f", data[1 + i]); break;
      case 6: reader.boolean("f"); break;
      case 7: reader.count("f", 100, 3); break;
      case 8: reader.fixed<32>("f"); break;
    }
  }
  fluence::Status status = reader.finish();
  if (!status.is_ok() && status.message().find("f:") == std::string::npos &&
      status.message().find("trailing") == std::string::npos) {
    __builtin_trap();
  }
  return 0;
}
