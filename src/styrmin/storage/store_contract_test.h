// The contract test suite of `Store`: every implementation (SQLite, PostgreSQL) runs
// the same cases, so they cannot drift apart. An implementation's test instantiates it with a
// factory that returns a fresh, empty store on each call:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
//                            ::testing::Values(StoreContractParam{"InMemory", factory}),
//                            StoreContractParamName);
//
// The cases live in store_contract_test.cc, which the implementation's test binary compiles in.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

#include "styrmin/storage/store.h"

namespace styrmin::storage {

using StoreFactory = std::function<Result<std::unique_ptr<Store>>()>;

struct StoreContractParam {
  std::string name;      // the instantiation's suffix in test names, e.g. "InMemory"
  StoreFactory factory;  // a fresh, empty store per call
};

inline void PrintTo(const StoreContractParam& param, std::ostream* os) { *os << param.name; }

inline std::string StoreContractParamName(
    const ::testing::TestParamInfo<StoreContractParam>& info) {
  return info.param.name;
}

class StoreContractTest : public ::testing::TestWithParam<StoreContractParam> {
 protected:
  void SetUp() override {
    auto store = GetParam().factory();
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(*store);
  }

  Store& store() { return *store_; }

 private:
  std::unique_ptr<Store> store_;
};

}  // namespace styrmin::storage
