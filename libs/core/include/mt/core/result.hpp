#pragma once
/// `Result<T>`: a value or an `mt::Error`. Must be checked ([[nodiscard]]).
///
/// GCC 12 has no usable std::expected under C++20, so this is a small variant wrapper with the same shape:
/// `if (!r) return r.error(); use(*r);`. `Result<void>` is spelled `Status`.
#include <cassert>
#include <utility>
#include <variant>

#include "mt/core/error.hpp"

namespace mt {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<1>(v_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(v_));
    }

private:
    std::variant<T, Error> v_;
};

/// Result of an operation that yields nothing but may fail.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

    [[nodiscard]] bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const& {
        assert(failed_);
        return error_;
    }
    Error&& error() && {
        assert(failed_);
        return std::move(error_);
    }

private:
    Error error_;
    bool failed_ = false;
};

inline Status Ok() { return {}; }

}  // namespace mt

/// Propagate a failed Result/Status from the enclosing function: MT_TRY(status_expr);
#define MT_TRY(expr)                                              \
    do {                                                          \
        auto&& mt_try_r_ = (expr);                                \
        if (!mt_try_r_.ok()) return std::move(mt_try_r_).error(); \
    } while (0)

#define MT_CONCAT_INNER(a, b) a##b
#define MT_CONCAT(a, b) MT_CONCAT_INNER(a, b)
/// Declare `lhs` from a Result, returning its error from the enclosing function on failure:
/// MT_ASSIGN_OR_RETURN(auto rows, LoadRows(...));
#define MT_ASSIGN_OR_RETURN(lhs, expr) MT_ASSIGN_OR_RETURN_IMPL(MT_CONCAT(mt_aor_, __LINE__), lhs, expr)
#define MT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)  \
    auto tmp = (expr);                            \
    if (!tmp.ok()) return std::move(tmp).error(); \
    lhs = std::move(tmp).value()
