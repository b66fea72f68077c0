// mt_csv_bench [size_mb] [path]: generates a typical 8-column CSV (default 100 MB) and prints the throughput
// of the encoding pass (SniffCsv) and of reading every row (OpenCsv + Next). Not a test: numbers only.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mt/ingest/csv.hpp"

namespace {

void Generate(const std::string& path, std::size_t bytes) {
    std::ofstream out(path, std::ios::binary);
    out << "id;nome;cidade;data;valor;quantidade;ativo;observacao\n";
    std::string row;
    for (std::size_t i = 1, written = 0; written < bytes; ++i) {
        row = std::to_string(i) + ";Cliente " + std::to_string(i % 9973) + ";São Paulo;" + std::to_string(1 + i % 28) +
              "/0" + std::to_string(1 + i % 9) + "/2024;" + std::to_string(i % 100000) + "," + std::to_string(i % 100) +
              ";" + std::to_string(i % 37) + ";" + (i % 2 ? "sim" : "não") +
              (i % 10 == 0 ? ";\"texto com ; e \"\"aspas\"\"\"\n" : ";observação qualquer\n");
        out << row;
        written += row.size();
    }
}

double Seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t mb = argc > 1 ? std::stoul(argv[1]) : 100;
    const std::string path =
        argc > 2 ? argv[2] : (std::filesystem::temp_directory_path() / "mt_csv_bench.csv").string();
    Generate(path, mb << 20);
    const double size_mb = static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);

    auto start = std::chrono::steady_clock::now();
    auto dialect = mt::ingest::SniffCsv(path, "bench.csv");
    if (!dialect) return std::fprintf(stderr, "%s\n", dialect.error().message.c_str()), 1;
    const double sniff = Seconds(start);

    start = std::chrono::steady_clock::now();
    auto reader = mt::ingest::OpenCsv(path, *dialect, "bench.csv");
    if (!reader) return std::fprintf(stderr, "%s\n", reader.error().message.c_str()), 1;
    std::vector<std::string> cells;
    std::size_t rows = 0;
    while (true) {
        auto more = (*reader)->Next(cells);
        if (!more) return std::fprintf(stderr, "%s\n", more.error().message.c_str()), 1;
        if (!*more) break;
        ++rows;
    }
    const double read = Seconds(start);
    std::printf("file %.1f MB, %zu rows, delimiter '%c', %s\n", size_mb, rows, dialect->delimiter,
                std::string(mt::ingest::Name(dialect->encoding)).c_str());
    std::printf("sniff (whole-file encoding pass): %.0f MB/s\n", size_mb / sniff);
    std::printf("read rows:                        %.0f MB/s\n", size_mb / read);
    if (argc <= 2) std::filesystem::remove(path);
    return 0;
}
