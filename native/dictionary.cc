// String and pair interning for Dictionary (dictionary.h).
#include "dictionary.h"

#include <cstring>

namespace tlsfp {
namespace {

constexpr size_t kInitialSlots = 1024; // power of two; load kept <= 1/2

inline uint32_t HashBytes(const char *s, size_t len)
{
  uint32_t h = 0x811c9dc5u; // FNV-1a, then murmur3's finaliser
  for (size_t i = 0; i < len; i++)
    h = (h ^ static_cast<uint8_t>(s[i])) * 0x01000193u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h;
}

inline uint32_t HashPair(uint64_t k)
{
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  return static_cast<uint32_t>(k);
}

// Marks a JS object as a Dictionary ("tlsfp_dictionary"), so an argument is
// checked before it is unwrapped.
const napi_type_tag kDictionaryTag = {0x746c7366705f6469ull, 0x6374696f6e617279ull};

} // namespace

StringIds::StringIds() : slots_(kInitialSlots), hashes_(kInitialSlots), starts_{0} {}

uint32_t StringIds::Id(const char *s, size_t len, bool *added)
{
  const uint32_t h = HashBytes(s, len);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t id = slots_[i];
    if (id == 0)
      break;
    if (hashes_[i] == h && starts_[id] - starts_[id - 1] == len &&
        std::memcmp(arena_.data() + starts_[id - 1], s, len) == 0) {
      *added = false;
      return id;
    }
  }
  arena_.append(s, len);
  starts_.push_back(static_cast<uint32_t>(arena_.size()));
  const uint32_t id = Size();
  slots_[i] = id;
  hashes_[i] = h;
  if (2 * static_cast<size_t>(id) > slots_.size())
    Grow();
  *added = true;
  return id;
}

void StringIds::Grow()
{
  std::vector<uint32_t> slots(slots_.size() * 2), hashes(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (size_t j = 0; j < slots_.size(); j++) {
    if (slots_[j] == 0)
      continue;
    size_t i = hashes_[j] & mask;
    while (slots[i] != 0)
      i = (i + 1) & mask;
    slots[i] = slots_[j];
    hashes[i] = hashes_[j];
  }
  slots_.swap(slots);
  hashes_.swap(hashes);
}

PairIds::PairIds() : slots_(kInitialSlots) {}

uint32_t PairIds::Id(uint32_t a, uint32_t b, bool *added)
{
  const uint64_t k = (static_cast<uint64_t>(a) << 32) | b;
  const size_t mask = slots_.size() - 1;
  size_t i = HashPair(k) & mask;
  for (; slots_[i].id != 0; i = (i + 1) & mask) {
    if (slots_[i].key == k) {
      *added = false;
      return slots_[i].id;
    }
  }
  keys_.push_back(k);
  const uint32_t id = Size();
  slots_[i] = {k, id};
  if (2 * static_cast<size_t>(id) > slots_.size())
    Grow();
  *added = true;
  return id;
}

void PairIds::Grow()
{
  std::vector<Slot> slots(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (const Slot &s : slots_) {
    if (s.id == 0)
      continue;
    size_t i = HashPair(s.key) & mask;
    while (slots[i].id != 0)
      i = (i + 1) & mask;
    slots[i] = s;
  }
  slots_.swap(slots);
}

Napi::Function Dictionary::Init(Napi::Env env)
{
  return DefineClass(env, "Dictionary", {InstanceMethod<&Dictionary::Sizes>("sizes")});
}

Dictionary::Dictionary(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Dictionary>(info)
{
  if (napi_type_tag_object(info.Env(), info.This(), &kDictionaryTag) != napi_ok)
    throw Napi::Error::New(info.Env());
}

Dictionary *Dictionary::FromArg(const Napi::Value &v, const char *what)
{
  // napi_unwrap alone would take any wrapped object of any class.
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    bool ok = false;
    if (napi_check_object_type_tag(v.Env(), o, &kDictionaryTag, &ok) == napi_ok && ok)
      return Napi::ObjectWrap<Dictionary>::Unwrap(o);
  }
  throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a Dictionary (new addon.Dictionary())");
}

Napi::Value Dictionary::Sizes(const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("ja4", ja4.Size());
  o.Set("ja3", ja3.Size());
  o.Set("ja3s", ja3s.Size());
  o.Set("sni", sni.Size());
  o.Set("alpn", alpn.Size());
  o.Set("ja4Sni", ja4_sni.Size());
  return o;
}

} // namespace tlsfp
