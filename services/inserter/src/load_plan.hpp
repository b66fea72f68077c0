#pragma once
/// What a load writes where: the target columns, and for every source file which of its columns feeds which
/// target column with which cell format. Built from the job's confirmed schema and the analyzer's per-file record,
/// so every inserter process (and every retry) derives the same plan.
#include <cstdint>
#include <string>
#include <vector>

#include "mt/jobs/job.hpp"
#include "mt/store/records.hpp"
#include "mt/types/inference.hpp"

namespace mt::inserter {

struct FilePlan {
    std::string display_name;
    std::size_t title_rows = 0;  // rows above the table the analyzer recognized as titles
    bool has_header = false;
    std::int64_t rows = 0;
    std::int64_t first_row = 0;  // index of this file's first data row in the whole upload
    /// For each target column: the file column that feeds it (-1: the file lacks it → NULL) and its format.
    std::vector<int> source_index;
    std::vector<types::CellFormat> formats;
};

struct LoadPlan {
    std::vector<types::Column> target;  // columns of the table being loaded, in table order
    std::vector<FilePlan> files;        // in materialized order
    std::int64_t total_rows = 0;
};

/// `target` is the confirmed columns for a create, the table's columns for append/replace (columns the upload
/// does not fill get NULL; a NOT NULL one is an error).
Result<LoadPlan> BuildLoadPlan(const jobs::JobRecord& job, const std::vector<types::Column>& target);

}  // namespace mt::inserter
