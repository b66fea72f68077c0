#include "load_plan.hpp"

#include <map>

#include "mt/core/json.hpp"
#include "mt/store/records.hpp"

namespace mt::inserter {

Result<LoadPlan> BuildLoadPlan(const jobs::JobRecord& job, const jobs::AnalysisRecord& analysis,
                               const std::vector<types::Column>& target) {
    if (!job.confirmed_schema) return Internal("job without confirmed schema");
    MT_ASSIGN_OR_RETURN(auto confirmed, json::ParseJson(*job.confirmed_schema));
    // target column name → inferred (merged) column name that feeds it
    std::map<std::string, std::string> source_of;
    const auto* cols = json::Find(confirmed, "columns");
    if (!cols || !cols->IsArray()) return Internal("confirmed schema without columns");
    for (const auto& c : cols->GetArray()) {
        const auto* name = json::Find(c, "name");
        const auto* source = json::Find(c, "source");
        if (!name || !source) return Internal("confirmed column without name/source");
        source_of[std::string(json::Text(*name))] = json::Text(*source);
    }
    LoadPlan plan;
    plan.target = target;
    for (const auto& f : analysis.files) {
        FilePlan fp;
        fp.display_name = f.display_name;
        fp.blob_id = f.blob_id;
        fp.dialect = f.dialect;
        fp.staged = f.staged;
        fp.first_row = plan.total_rows;
        plan.total_rows += f.rows;
        const int shift = f.staged ? 1 : 0;  // a staged row starts with its line
        std::map<std::string, std::pair<int, types::CellFormat>> by_merged;
        for (std::size_t i = 0; i < f.columns.size(); ++i) {
            if (f.columns[i].merged.empty()) continue;  // dropped
            by_merged.emplace(f.columns[i].merged, std::make_pair(static_cast<int>(i) + shift, f.columns[i].format));
        }
        for (const auto& t : target) {
            auto src = source_of.find(t.name);
            auto it = src == source_of.end() ? by_merged.end() : by_merged.find(src->second);
            if (it == by_merged.end()) {
                if (!t.nullable && f.rows > 0) {
                    return Validation("Column \"" + t.name + "\" is NOT NULL but file \"" + fp.display_name +
                                      "\" has no values for it");
                }
                fp.source_index.push_back(-1);
                fp.formats.push_back({});
            } else {
                fp.source_index.push_back(it->second.first);
                fp.formats.push_back(it->second.second);
            }
        }
        plan.files.push_back(std::move(fp));
    }
    return plan;
}

}  // namespace mt::inserter
