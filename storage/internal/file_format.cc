#include "storage/internal/file_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/base/coding.h"

namespace mua::storage_internal {
namespace {

constexpr char kMagic[4] = {'M', 'U', 'A', 'F'};
constexpr size_t kHeaderBytes = 24;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, absl::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

}  // namespace

uint64_t Checksum(absl::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
    return ErrnoError("cannot open", path);
  }
  absl::Cleanup closer = [fd] { ::close(fd); };
  std::string bytes;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0 || ::lseek(fd, 0, SEEK_SET) < 0) return ErrnoError("cannot seek", path);
  bytes.resize(static_cast<size_t>(size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read", path);
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

int OpenPrivateFile(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC, kPrivateFileMode);
  // The umask may have cleared bits of the mode, and an existing file keeps its own.
  if (fd >= 0 && ::fchmod(fd, kPrivateFileMode) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

absl::Status MakePrivateDirectories(const std::string& dir) {
  // Only the missing components are created (each 0700); existing parents keep their modes.
  std::vector<std::filesystem::path> missing;
  std::error_code error;
  for (std::filesystem::path path = std::filesystem::path(dir).lexically_normal();
       !path.empty() && !std::filesystem::exists(path, error); path = path.parent_path()) {
    missing.push_back(path);
    if (path == path.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const std::string path = it->string();
    if (path.empty() || path == "/") continue;
    if (::mkdir(path.c_str(), kPrivateDirectoryMode) != 0 && errno != EEXIST) {
      return ErrnoError("cannot create directory", path);
    }
    if (::chmod(path.c_str(), kPrivateDirectoryMode) != 0) return ErrnoError("cannot chmod", path);
  }
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::InternalError(absl::StrCat("cannot create ", dir, ": not a directory"));
  }
  return absl::OkStatus();
}

absl::Status WriteFileAndSync(const std::string& path, absl::string_view bytes) {
  const int fd = OpenPrivateFile(path, O_WRONLY | O_TRUNC);
  if (fd < 0) return ErrnoError("cannot create", path);
  absl::Cleanup closer = [fd] { ::close(fd); };
  if (absl::Status status = WriteAll(fd, bytes, path); !status.ok()) return status;
  if (::fsync(fd) != 0) return ErrnoError("cannot fsync", path);
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open directory", dir);
  absl::Cleanup closer = [fd] { ::close(fd); };
  if (::fsync(fd) != 0) return ErrnoError("cannot fsync directory", dir);
  return absl::OkStatus();
}

absl::Status RenameDurably(const std::string& from, const std::string& to, const std::string& dir) {
  if (std::rename(from.c_str(), to.c_str()) != 0) return ErrnoError("cannot rename to", to);
  return SyncDirectory(dir);
}

absl::StatusOr<FileInfo> WriteFramedFile(const std::string& dir, const std::string& name,
                                         FileKind kind, absl::string_view payload) {
  FileInfo info{.name = name, .size = kHeaderBytes + payload.size(), .checksum = Checksum(payload)};
  std::string bytes;
  bytes.reserve(info.size);
  bytes.append(kMagic, 4);
  PutFixed32(&bytes, static_cast<uint32_t>(kind));
  PutFixed64(&bytes, payload.size());
  PutFixed64(&bytes, info.checksum);
  bytes.append(payload.data(), payload.size());
  if (absl::Status status = WriteFileAndSync(absl::StrCat(dir, "/", name), bytes); !status.ok()) {
    return status;
  }
  return info;
}

absl::StatusOr<std::string> ReadFramedFile(const std::string& path, FileKind kind,
                                           const FileInfo* expected) {
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  auto damaged = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(path, ": ", what));
  };
  if (bytes->size() < kHeaderBytes || std::memcmp(bytes->data(), kMagic, 4) != 0) {
    return damaged(absl::StrFormat("not a MUA file or torn (%d bytes)", bytes->size()));
  }
  if (LoadFixed32(bytes->data() + 4) != static_cast<uint32_t>(kind)) {
    return damaged("holds another kind of data than expected");
  }
  const uint64_t length = LoadFixed64(bytes->data() + 8);
  const uint64_t checksum = LoadFixed64(bytes->data() + 16);
  if (length != bytes->size() - kHeaderBytes) {
    return damaged(absl::StrFormat("torn: header says %d payload bytes, file holds %d", length,
                                   bytes->size() - kHeaderBytes));
  }
  if (expected != nullptr && (expected->size != bytes->size() || expected->checksum != checksum)) {
    return damaged("is not the version the manifest names (size or checksum differs)");
  }
  bytes->erase(0, kHeaderBytes);
  if (Checksum(*bytes) != checksum) return damaged("checksum mismatch: the contents are corrupt");
  return bytes;
}

std::string ZstdCompress(absl::string_view bytes, int level) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  absl::Cleanup freer = [context] { ZSTD_freeCCtx(context); };
  ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const size_t size = ZSTD_compress2(context, out.data(), out.size(), bytes.data(), bytes.size());
  out.resize(ZSTD_isError(size) ? 0 : size);  // cannot fail with a bound-sized buffer
  return out;
}

absl::StatusOr<std::string> ZstdDecompress(absl::string_view bytes) {
  const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ULL << 36)) {
    return absl::DataLossError("not a complete Zstd frame");
  }
  std::string out(size, '\0');
  const size_t got = ZSTD_decompress(out.data(), out.size(), bytes.data(), bytes.size());
  if (ZSTD_isError(got) || got != size) {
    return absl::DataLossError(absl::StrCat("Zstd: ", ZSTD_isError(got) ? ZSTD_getErrorName(got)
                                                                        : "short frame"));
  }
  return out;
}

}  // namespace mua::storage_internal
