#pragma once
/// What a load writes where: the target columns, and for every source file which of its stored columns feeds which
/// target column with which cell format, and where its rows are stored. Built from the job's confirmed schema and
/// its analysis record, so every inserter process (and every retry) derives the same plan.
#include <cstdint>
#include <string>
#include <vector>

#include "mt/jobs/analysis.hpp"
#include "mt/jobs/job.hpp"
#include "mt/store/records.hpp"
#include "mt/types/inference.hpp"

namespace mt::inserter {

struct FilePlan {
    std::string display_name;
    std::string blob_id;
    ingest::CsvDialect dialect;
    bool staged = false;         // the stored row's first cell is its line in the original
    std::int64_t first_row = 0;  // index of this file's first data row in the whole upload
    /// For each target column: the stored cell that feeds it (-1: the file lacks it → NULL) and its format.
    std::vector<int> source_index;
    std::vector<types::CellFormat> formats;
};

struct LoadPlan {
    std::vector<types::Column> target;  // columns of the table being loaded, in table order
    std::vector<FilePlan> files;        // in upload order
    std::int64_t total_rows = 0;
};

/// `target` is the confirmed columns for a create, the table's columns for append/replace (columns the upload
/// does not fill get NULL; a NOT NULL one is an error).
Result<LoadPlan> BuildLoadPlan(const jobs::JobRecord& job, const jobs::AnalysisRecord& analysis,
                               const std::vector<types::Column>& target);

}  // namespace mt::inserter
