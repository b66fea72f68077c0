#include "load_plan.hpp"

#include <map>

#include "mt/core/json.hpp"
#include "mt/store/records.hpp"

namespace mt::inserter {

Result<LoadPlan> BuildLoadPlan(const jobs::JobRecord& job, const std::vector<types::Column>& target) {
    if (!job.confirmed_schema || !job.analysis) return Internal("job without confirmed schema or analysis");
    MT_ASSIGN_OR_RETURN(auto confirmed, json::ParseJson(*job.confirmed_schema));
    MT_ASSIGN_OR_RETURN(auto analysis, json::ParseJson(*job.analysis));
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
    const auto* files = json::Find(analysis, "files");
    if (!files || !files->IsArray()) return Internal("analysis without files");
    for (const auto& f : files->GetArray()) {
        FilePlan fp;
        fp.display_name = json::Text(*json::Find(f, "display_name"));
        fp.has_header = json::Find(f, "has_header")->GetBool();
        if (const auto* titles = json::Find(f, "title_rows")) {  // absent in analyses written before titles counted
            fp.title_rows = std::stoull(std::string(json::Text(*titles)));
        }
        fp.rows = std::stoll(std::string(json::Text(*json::Find(f, "rows"))));
        fp.first_row = plan.total_rows;
        plan.total_rows += fp.rows;
        std::map<std::string, std::pair<int, types::CellFormat>> by_merged;
        int index = 0;
        for (const auto& fc : json::Find(f, "columns")->GetArray()) {
            types::CellFormat format;
            format.decimal_separator = types::ParseDecimalSeparator(json::Text(*json::Find(fc, "decimal_separator")))
                                           .value_or(types::DecimalSeparator::kPoint);
            format.date_order =
                types::ParseDateOrder(json::Text(*json::Find(fc, "date_order"))).value_or(types::DateOrder::kDayFirst);
            std::string merged(json::Text(*json::Find(fc, "merged")));
            if (!merged.empty()) by_merged.emplace(std::move(merged), std::make_pair(index, format));  // "": dropped
            ++index;
        }
        for (const auto& t : target) {
            auto src = source_of.find(t.name);
            auto it = src == source_of.end() ? by_merged.end() : by_merged.find(src->second);
            if (it == by_merged.end()) {
                if (!t.nullable && fp.rows > 0) {
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
