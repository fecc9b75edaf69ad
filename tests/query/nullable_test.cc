// Nullable(T) and Tuple: the default NULL handling of scalar functions,
// three-valued logic, the NULL functions, CAST, IN with NULL, filters, type
// names and parsing. Expected values are ClickHouse's (24.x).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "query/expression.h"
#include "query/internal/group_table.h"
#include "query/result_set.h"
#include "query/scalar_functions.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

const DataType kUInt8 = DataType::Of(TypeId::kUInt8);
const DataType kInt64 = DataType::Of(TypeId::kInt64);
const DataType kString = DataType::Of(TypeId::kString);

// One value of a vector as text: NULL, numbers, 'strings', [arrays], (tuples).
std::string Text(const Vector& v, size_t row) {
  if (v.is_null(row)) return "NULL";
  const size_t i = v.index(row);
  switch (v.type.id) {
    case TypeId::kString: return absl::StrCat("'", v.string_at(row), "'");
    case TypeId::kFloat64: return absl::StrCat(v.float_at(row));
    case TypeId::kTuple: {
      std::vector<std::string> parts;
      for (const Vector& child : v.children) parts.push_back(Text(child, row));
      return absl::StrCat("(", absl::StrJoin(parts, ","), ")");
    }
    case TypeId::kArray: {
      std::vector<std::string> parts;
      for (uint32_t k = v.offsets[i]; k < v.offsets[i + 1]; ++k) {
        if (v.type.nested_elements()) {
          parts.push_back(Text(v.children[0], k));
        } else if (v.type.element == TypeId::kString) {
          parts.push_back(absl::StrCat("'", v.strings[k], "'"));
        } else {
          parts.push_back(absl::StrCat(v.ints[k]));
        }
      }
      return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
    }
    default: return absl::StrCat(v.int_at(row));
  }
}

std::string Texts(const Vector& v) {
  std::vector<std::string> parts;
  for (size_t row = 0; row < v.size; ++row) parts.push_back(Text(v, row));
  return absl::StrJoin(parts, " ");
}

// Column vectors of 4 rows and expressions over them.
class NullableTest : public ::testing::Test {
 protected:
  NullableTest() {
    batch_.rows = 4;
    batch_.pool = &pool_;
    // 0: Nullable(Int64) [1, NULL, 0, 3]
    Vector a;
    a.type = DataType::Nullable(TypeId::kInt64);
    a.size = 4;
    a.ints = {1, 0, 0, 3};
    a.nulls = {0, 1, 0, 0};
    // 1: Nullable(UInt8) condition [1, NULL, 0, NULL]
    Vector b;
    b.type = DataType::Nullable(TypeId::kUInt8);
    b.size = 4;
    b.ints = {1, 0, 0, 0};
    b.nulls = {0, 1, 0, 1};
    // 2: Int64 [0, 0, 0, 1] (a divisor that is 0 where column 0 is NULL)
    Vector c;
    c.type = kInt64;
    c.size = 4;
    c.ints = {1, 0, 2, 1};
    // 3: Nullable(String) ['x', NULL, '', 'y']
    Vector d;
    d.type = DataType::Nullable(TypeId::kString);
    d.size = 4;
    d.strings = {"x", "", "", "y"};
    d.nulls = {0, 1, 0, 0};
    batch_.columns = {a, b, c, d};
  }

  BoundExprPtr Column(int index) {
    return MakeColumn(index, batch_.columns[index].type, absl::StrCat("c", index));
  }
  static BoundExprPtr Null() {
    Vector value = Vector::ConstantNull(1);
    value.type = DataType::Of(TypeId::kNothing);  // as the binder types the NULL literal
    return MakeConstant(value, "NULL");
  }
  static BoundExprPtr Int(int64_t value) {
    return MakeConstant(Vector::ConstantInt(IntegerLiteralType(value, value >= 0), value, 1),
                        absl::StrCat(value));
  }
  static BoundExprPtr Str(absl::string_view value) {
    return MakeConstant(Vector::ConstantString(value, 1), std::string(value));
  }

  absl::StatusOr<BoundExprPtr> Call(const std::string& name, std::vector<BoundExprPtr> args) {
    std::vector<ScalarArg> scalar_args;
    for (const BoundExprPtr& arg : args) {
      scalar_args.push_back({arg->type, arg->is_constant() ? &arg->constant : nullptr});
    }
    absl::StatusOr<ScalarBinding> binding = BindScalarFunction(name, scalar_args);
    if (!binding.ok()) return binding.status();
    for (auto& [index, value] : binding->converted_constants) {
      args[index] = MakeConstant(std::move(value), args[index]->sql);
    }
    return MakeCall(name, binding->kernel, binding->type, std::move(args), name);
  }

  // The rows of name(args...) as text, and its type name in *type.
  std::string Eval(const std::string& name, std::vector<BoundExprPtr> args,
                   std::string* type = nullptr) {
    absl::StatusOr<BoundExprPtr> call = Call(name, std::move(args));
    if (!call.ok()) return std::string(call.status().message());
    if (type != nullptr) *type = (*call)->type.Name();
    Vector out;
    absl::Status status = Evaluate(**call, batch_, &out);
    if (!status.ok()) return std::string(status.message());
    return Texts(out);
  }

  std::string TypeOf(const std::string& name, std::vector<BoundExprPtr> args) {
    std::string type;
    Eval(name, std::move(args), &type);
    return type;
  }

  StringPool pool_;
  Batch batch_;
};

TEST_F(NullableTest, DefaultImplementationPropagatesNull) {
  std::string type;
  EXPECT_EQ(Eval("plus", {Column(0), Int(10)}, &type), "11 NULL 10 13");
  EXPECT_EQ(type, "Nullable(Int64)");
  EXPECT_EQ(Eval("plus", {Column(0), Null()}, &type), "NULL NULL NULL NULL");
  EXPECT_EQ(type, "Nullable(Nothing)");
  EXPECT_EQ(Eval("length", {Column(3)}, &type), "1 NULL 0 1");
  EXPECT_EQ(type, "Nullable(UInt64)");
  EXPECT_EQ(Eval("upper", {Column(3)}), "'X' NULL '' 'Y'");
}

TEST_F(NullableTest, KernelNeverSeesANullSlot) {
  // intDiv(c2, c0): c0 is 0 only where it is NULL (row 1) or a real 0 (row 2).
  EXPECT_EQ(Eval("intDiv", {Column(2), Column(0)}), "Division by zero");
  // Where the 0 is NULL, the row is NULL and nothing fails.
  absl::StatusOr<BoundExprPtr> non_zero = Call("nullIf", {Column(0), Int(0)});
  ASSERT_OK(non_zero);
  EXPECT_EQ(Eval("intDiv", {Column(2), *non_zero}), "1 NULL NULL 0");
}

TEST_F(NullableTest, ComparisonsGiveNullOnNull) {
  std::string type;
  EXPECT_EQ(Eval("equals", {Column(0), Int(1)}, &type), "1 NULL 0 0");
  EXPECT_EQ(type, "Nullable(UInt8)");
  EXPECT_EQ(Eval("equals", {Null(), Null()}, &type), "NULL NULL NULL NULL");
  EXPECT_EQ(type, "Nullable(Nothing)");
  EXPECT_EQ(Eval("less", {Column(3), Str("y")}), "1 NULL 1 0");
}

TEST_F(NullableTest, ThreeValuedAndOrNot) {
  // Truth tables with x in {1, NULL, 0} against NULL.
  EXPECT_EQ(Eval("and", {Column(1), Null()}), "NULL NULL 0 NULL");
  EXPECT_EQ(Eval("or", {Column(1), Null()}), "1 NULL NULL NULL");
  EXPECT_EQ(Eval("and", {Column(1), Int(0)}), "0 0 0 0");
  EXPECT_EQ(Eval("or", {Column(1), Int(1)}), "1 1 1 1");
  EXPECT_EQ(Eval("and", {Column(1), Int(1)}), "1 NULL 0 NULL");
  EXPECT_EQ(Eval("or", {Column(1), Int(0)}), "1 NULL 0 NULL");
  EXPECT_EQ(Eval("not", {Column(1)}), "0 NULL 1 NULL");
  EXPECT_EQ(Eval("xor", {Column(1), Int(1)}), "0 NULL 1 NULL");
  EXPECT_EQ(TypeOf("and", {Column(1), Int(1)}), "Nullable(UInt8)");
  EXPECT_EQ(TypeOf("and", {Column(2), Int(1)}), "UInt8");
}

TEST_F(NullableTest, IfTakesNullConditionAsFalse) {
  std::string type;
  EXPECT_EQ(Eval("if", {Column(1), Str("yes"), Str("no")}, &type), "'yes' 'no' 'no' 'no'");
  EXPECT_EQ(type, "String");
  EXPECT_EQ(Eval("if", {Column(1), Column(0), Int(-1)}, &type), "1 -1 -1 -1");
  EXPECT_EQ(type, "Nullable(Int64)");
  EXPECT_EQ(Eval("multiIf", {Column(1), Int(1), Null()}, &type), "1 NULL NULL NULL");
  EXPECT_EQ(type, "Nullable(UInt8)");
}

TEST_F(NullableTest, NullFunctions) {
  std::string type;
  EXPECT_EQ(Eval("isNull", {Column(0)}), "0 1 0 0");
  EXPECT_EQ(Eval("isNotNull", {Column(0)}), "1 0 1 1");
  EXPECT_EQ(Eval("isNull", {Column(2)}), "0 0 0 0");
  EXPECT_EQ(Eval("isNull", {Null()}), "1 1 1 1");
  EXPECT_EQ(Eval("isZeroOrNull", {Column(0)}), "0 1 1 0");
  EXPECT_EQ(Eval("coalesce", {Column(0), Int(7)}, &type), "1 7 0 3");
  EXPECT_EQ(type, "Int64");
  EXPECT_EQ(Eval("coalesce", {Null(), Column(0)}, &type), "1 NULL 0 3");
  EXPECT_EQ(type, "Nullable(Int64)");
  EXPECT_EQ(Eval("coalesce", {Null(), Null()}, &type), "NULL NULL NULL NULL");
  EXPECT_EQ(type, "Nullable(Nothing)");
  EXPECT_EQ(Eval("ifNull", {Column(3), Str("none")}, &type), "'x' 'none' '' 'y'");
  EXPECT_EQ(type, "String");
  EXPECT_EQ(Eval("nullIf", {Column(2), Int(1)}, &type), "NULL 0 2 NULL");
  EXPECT_EQ(type, "Nullable(Int64)");
  EXPECT_EQ(Eval("nullIf", {Column(3), Str("")}), "'x' NULL NULL 'y'");
  EXPECT_EQ(Eval("assumeNotNull", {Column(0)}, &type), "1 0 0 3");
  EXPECT_EQ(type, "Int64");
  EXPECT_EQ(Eval("toNullable", {Column(2)}, &type), "1 0 2 1");
  EXPECT_EQ(type, "Nullable(Int64)");
  EXPECT_EQ(Eval("isNullable", {Column(0)}), "1 1 1 1");
  EXPECT_EQ(Eval("isNotDistinctFrom", {Column(0), Column(0)}), "1 1 1 1");
  EXPECT_EQ(Eval("isNotDistinctFrom", {Column(0), Int(1)}), "1 0 0 0");
  EXPECT_EQ(Eval("isNotDistinctFrom", {Column(0), Null()}), "0 1 0 0");
}

TEST_F(NullableTest, ToTypeName) {
  EXPECT_EQ(Eval("toTypeName", {Column(0)}), "'Nullable(Int64)' 'Nullable(Int64)' "
                                              "'Nullable(Int64)' 'Nullable(Int64)'");
  absl::StatusOr<BoundExprPtr> name = Call("toTypeName", {Null()});
  ASSERT_OK(name);
  EXPECT_EQ((*name)->type.Name(), "String");
  Vector out;
  ASSERT_OK(Evaluate(**name, batch_, &out));
  EXPECT_EQ(out.string_at(0), "Nullable(Nothing)");
  absl::StatusOr<BoundExprPtr> tuple = Call("tuple", {Column(0), Str("a"), Null()});
  ASSERT_OK(tuple);
  EXPECT_EQ((*tuple)->type.Name(), "Tuple(Nullable(Int64), String, Nullable(Nothing))");
}

TEST_F(NullableTest, Cast) {
  std::string type;
  EXPECT_EQ(Eval("CAST", {Column(2), Str("Nullable(String)")}, &type), "'1' '0' '2' '1'");
  EXPECT_EQ(type, "Nullable(String)");
  EXPECT_EQ(Eval("CAST", {Column(0), Str("Nullable(Float64)")}, &type), "1 NULL 0 3");
  EXPECT_EQ(type, "Nullable(Float64)");
  EXPECT_EQ(Eval("CAST", {Null(), Str("Nullable(UInt8)")}, &type), "NULL NULL NULL NULL");
  EXPECT_EQ(type, "Nullable(UInt8)");
  EXPECT_EQ(Eval("CAST", {Column(0), Str("Int64")}),
            "Cannot convert NULL value to non-Nullable type Int64");
  EXPECT_EQ(Eval("CAST", {Column(2), Str("UInt8")}, &type), "1 0 2 1");
  EXPECT_EQ(type, "UInt8");
  EXPECT_EQ(Eval("CAST", {Column(2), Str("Nullable(Array(UInt8))")}),
            "Nested type Array(UInt8) cannot be inside Nullable type");
}

TEST_F(NullableTest, TupleElement) {
  absl::StatusOr<BoundExprPtr> tuple = Call("tuple", {Column(0), Column(3)});
  ASSERT_OK(tuple);
  EXPECT_EQ(Eval("tupleElement", {*tuple, Int(2)}), "'x' NULL '' 'y'");
  EXPECT_EQ(Eval("tupleElement", {*tuple, Int(1)}), "1 NULL 0 3");
  EXPECT_EQ(Eval("tupleElement", {*tuple, Int(3)}), "Tuple doesn't have element with index '3'");
  Vector out;
  ASSERT_OK(Evaluate(**tuple, batch_, &out));
  EXPECT_EQ(Texts(out), "(1,'x') (NULL,NULL) (0,'') (3,'y')");
}

TEST_F(NullableTest, FilterTreatsNullAsFalse) {
  std::vector<uint32_t> selected;
  ASSERT_OK(EvaluateFilter(*Column(1), batch_, &selected));
  EXPECT_EQ(selected, std::vector<uint32_t>({0}));
  ASSERT_OK(EvaluateFilter(*Null(), batch_, &selected));
  EXPECT_TRUE(selected.empty());
  absl::StatusOr<BoundExprPtr> greater = Call("greater", {Column(0), Int(0)});
  ASSERT_OK(greater);
  ASSERT_OK(EvaluateFilter(**greater, batch_, &selected));
  EXPECT_EQ(selected, std::vector<uint32_t>({0, 3}));
}

TEST_F(NullableTest, InWithNullOperandIsNull) {
  auto set = std::make_shared<InSet>();
  set->ints = {1, 3};
  auto in = std::make_shared<BoundExpr>();
  in->kind = BoundExpr::Kind::kIn;
  in->args = {Column(0)};
  in->type = InResultType(in->args[0]->type);
  in->set = set;
  Vector out;
  ASSERT_OK(Evaluate(*in, batch_, &out));
  EXPECT_EQ(Texts(out), "1 NULL 0 1");
  EXPECT_EQ(out.type.Name(), "Nullable(UInt8)");
  in->negated = true;
  ASSERT_OK(Evaluate(*in, batch_, &out));
  EXPECT_EQ(Texts(out), "0 NULL 1 0");
}

TEST_F(NullableTest, TupleInKeyedSet) {
  // (c2, c3) IN ((1, 'x'), (2, ''), (1.5, 'y'), (1, NULL))
  absl::StatusOr<BoundExprPtr> operand = Call("tuple", {Column(2), Column(3)});
  ASSERT_OK(operand);
  auto set = std::make_shared<InSet>();
  const DataType operand_type = (*operand)->type;
  auto add = [&](BoundExprPtr first, BoundExprPtr second) {
    absl::StatusOr<BoundExprPtr> element = Call("tuple", {first, second});
    ASSERT_OK(element);
    Vector value;
    ASSERT_OK(Evaluate(**element, batch_, &value));
    ASSERT_OK(AddToKeyedInSet(operand_type, value, 0, set.get()));
  };
  add(Int(1), Str("x"));
  add(Int(2), Str(""));
  add(MakeConstant(Vector::ConstantFloat(1.5, 1), "1.5"), Str("y"));
  add(Int(1), Null());
  EXPECT_EQ(set->keys.size(), 2u);
  auto in = std::make_shared<BoundExpr>();
  in->kind = BoundExpr::Kind::kIn;
  in->args = {*operand};
  in->type = InResultType(operand_type);
  in->set = set;
  Vector out;
  ASSERT_OK(Evaluate(*in, batch_, &out));
  EXPECT_EQ(Texts(out), "1 0 1 0");
  // A string where the operand has a number: ClickHouse refuses the set.
  absl::StatusOr<BoundExprPtr> wrong = Call("tuple", {Str("1"), Str("x")});
  ASSERT_OK(wrong);
  Vector value;
  ASSERT_OK(Evaluate(**wrong, batch_, &value));
  EXPECT_FALSE(AddToKeyedInSet(operand_type, value, 0, set.get()).ok());
}

TEST(DataTypeTest, NamesAndParsing) {
  EXPECT_EQ(DataType::Nullable(TypeId::kUInt8).Name(), "Nullable(UInt8)");
  EXPECT_EQ(DataType::Null().Name(), "Nullable(Nothing)");
  EXPECT_EQ(DataType::ArrayOf(DataType::Nullable(TypeId::kString)).Name(), "Array(Nullable(String))");
  EXPECT_EQ(DataType::ArrayOf(DataType::Array(TypeId::kUInt8)).Name(), "Array(Array(UInt8))");
  EXPECT_EQ(DataType::Tuple({kUInt8, kString}, {"a", "b"}).Name(), "Tuple(a UInt8, b String)");
  DataType low = kString;
  low.low_cardinality = true;
  low.nullable = true;
  EXPECT_EQ(low.Name(), "LowCardinality(Nullable(String))");
  for (const char* name :
       {"UInt8", "Nullable(String)", "Array(Nullable(String))", "Array(Array(UInt8))",
        "Tuple(UInt8, String)", "Tuple(a UInt8, b Nullable(String))",
        "Array(Tuple(Array(UInt64), Array(Float64)))", "LowCardinality(Nullable(String))",
        "DateTime64(3)", "Date", "DateTime"}) {
    absl::StatusOr<DataType> parsed = ParseDataType(name);
    ASSERT_OK(parsed);
    EXPECT_EQ(parsed->Name(), name);
  }
  absl::StatusOr<DataType> alias = ParseDataType("Nullable(Float32)");
  ASSERT_OK(alias);
  EXPECT_EQ(alias->Name(), "Nullable(Float64)");
  alias = ParseDataType("DateTime64(3, 'UTC')");
  ASSERT_OK(alias);
  EXPECT_EQ(alias->Name(), "DateTime64(3, 'UTC')");
  EXPECT_EQ(ParseDataType("BIGINT")->Name(), "Int64");
  EXPECT_EQ(ParseDataType("Nullable(Array(UInt8))").status().message(),
            "Nested type Array(UInt8) cannot be inside Nullable type");
  EXPECT_EQ(ParseDataType("Decimal(10, 2)").status().message(), "Unknown data type family: Decimal");
  EXPECT_FALSE(ParseDataType("Array(UInt8").ok());
  EXPECT_FALSE(ParseDataType("Nullable(Nullable(UInt8))").ok());
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "Array(";
  deep += "UInt8";
  for (int i = 0; i < 100; ++i) deep += ")";
  EXPECT_FALSE(ParseDataType(deep).ok());
}

TEST(DataTypeTest, EqualityLooksInsideComposites) {
  EXPECT_EQ(DataType::ArrayOf(DataType::Nullable(TypeId::kString)),
            DataType::ArrayOf(DataType::Nullable(TypeId::kString)));
  EXPECT_FALSE(DataType::ArrayOf(DataType::Nullable(TypeId::kString)) ==
               DataType::ArrayOf(DataType::Nullable(TypeId::kUInt8)));
  EXPECT_EQ(DataType::ArrayOf(kUInt8), DataType::Array(TypeId::kUInt8));
  EXPECT_FALSE(DataType::Tuple({kUInt8}) == DataType::Tuple({kString}));
}

TEST(VectorTest, GatherScatterAndColumnsRoundTrip) {
  // Array(Nullable(String)) rows: ['a', NULL], [], [NULL]
  Vector elements;
  elements.type = DataType::Nullable(TypeId::kString);
  elements.size = 3;
  elements.strings = {"a", "", ""};
  elements.nulls = {0, 1, 1};
  Vector arrays;
  arrays.type = DataType::ArrayOf(elements.type);
  arrays.size = 3;
  arrays.offsets = {0, 2, 2, 3};
  arrays.children.push_back(elements);
  EXPECT_EQ(Texts(arrays), "['a',NULL] [] [NULL]");
  Vector gathered;
  Gather(arrays, {2, 0}, &gathered);
  EXPECT_EQ(Texts(gathered), "[NULL] ['a',NULL]");

  Column column = EmptyColumn(arrays.type);
  AppendVectorRows(arrays, &column);
  AppendVectorRows(gathered, &column);
  EXPECT_EQ(Texts(ColumnRows(column, 0, 5)), "['a',NULL] [] [NULL] [NULL] ['a',NULL]");
  EXPECT_EQ(Texts(ColumnRows(column, 3, 5)), "[NULL] ['a',NULL]");
  const Column taken = TakeColumnRows(column, std::vector<uint32_t>{4, 1});
  EXPECT_EQ(Texts(ColumnRows(taken, 0, 2)), "['a',NULL] []");
  EXPECT_LT(CompareColumnValues(column, 1, column, 0, true), 0);  // [] < ['a', NULL]
  EXPECT_EQ(CompareColumnValues(column, 2, column, 3, true), 0);

  // Nullable scalars scattered back around NULL rows.
  Vector compact = Vector::ConstantInt(kInt64, 5, 2);
  Vector scattered;
  ScatterWithNulls(compact, {1, 3}, 4, &scattered);
  EXPECT_EQ(Texts(scattered), "NULL 5 NULL 5");
  EXPECT_EQ(scattered.type.Name(), "Nullable(Int64)");
  EXPECT_EQ(scattered.ints[0], 0);  // a NULL slot holds the default
}

TEST_F(NullableTest, ArrayElementOfAnyElementType) {
  // Array(Float64) [0.5, 1.5] and Array(Nullable(String)) ['a', NULL], as constants.
  Vector floats;
  floats.type = DataType::Array(TypeId::kFloat64);
  floats.size = 1;
  floats.constant = true;
  floats.offsets = {0, 2};
  floats.floats = {0.5, 1.5};
  Vector elements;
  elements.type = DataType::Nullable(TypeId::kString);
  elements.size = 2;
  elements.strings = {"a", ""};
  elements.nulls = {0, 1};
  Vector strings;
  strings.type = DataType::ArrayOf(elements.type);
  strings.size = 1;
  strings.constant = true;
  strings.offsets = {0, 2};
  strings.children.push_back(elements);
  // The index per row is c2 = [1, 0, 2, 1]: 0 is out of range.
  std::string type;
  EXPECT_EQ(Eval("arrayElement", {MakeConstant(floats, "f"), Column(2)}, &type), "0.5 0 1.5 0.5");
  EXPECT_EQ(type, "Float64");
  EXPECT_EQ(Eval("arrayElement", {MakeConstant(strings, "s"), Column(2)}, &type), "'a' NULL NULL 'a'");
  EXPECT_EQ(type, "Nullable(String)");
  EXPECT_EQ(Eval("arrayElement", {MakeConstant(floats, "f"), Int(-1)}), "1.5 1.5 1.5 1.5");
}

TEST(VectorTest, CompareValuesPutsNullsWhereAsked) {
  Vector v;
  v.type = DataType::Nullable(TypeId::kInt64);
  v.size = 3;
  v.ints = {2, 0, 1};
  v.nulls = {0, 1, 0};
  EXPECT_GT(CompareValues(v, 1, v, 0, true), 0);
  EXPECT_LT(CompareValues(v, 1, v, 0, false), 0);
  EXPECT_GT(CompareValues(v, 0, v, 2, true), 0);
  std::string k0, k1, k2;
  AppendValueKey(v, 1, &k1);
  AppendValueKey(Vector::ConstantNullOf(v.type, 1), 0, &k0);
  EXPECT_EQ(k0, k1);
  AppendValueKey(v, 0, &k2);
  EXPECT_NE(k1, k2);
}

TEST(GroupTableNullTest, NullIsAGroupOfItsOwn) {
  Vector key;
  key.type = DataType::Nullable(TypeId::kString);
  key.size = 5;
  key.strings = {"a", "", "a", "", ""};
  key.nulls = {0, 1, 0, 1, 0};
  Vector number;  // a second key: 7 everywhere
  number = Vector::ConstantInt(kInt64, 7, 5);
  query_internal::GroupTable table;
  std::vector<uint32_t> groups;
  table.Map(std::vector<Vector>{key, number}, 5, &groups);
  EXPECT_EQ(groups, std::vector<uint32_t>({0, 1, 0, 1, 2}));
  const std::vector<Vector> keys = table.KeyVectors();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(Texts(keys[0]), "'a' NULL ''");
  EXPECT_EQ(Texts(keys[1]), "7 7 7");

  // Another worker's table: its NULL group meets this one's.
  query_internal::GroupTable other;
  Vector more;
  more.type = key.type;
  more.size = 2;
  more.strings = {"", "b"};
  more.nulls = {1, 0};
  other.Map(std::vector<Vector>{more, Vector::ConstantInt(kInt64, 7, 2)}, 2, &groups);
  EXPECT_EQ(table.Absorb(other), std::vector<uint32_t>({1, 3}));
}

TEST(GroupTableNullTest, TupleKeys) {
  Vector first = Vector::ConstantInt(kUInt8, 1, 3);
  Vector second;
  second.type = kString;
  second.size = 3;
  second.strings = {"x", "y", "x"};
  first.Flatten();
  Vector tuple;
  tuple.type = DataType::Tuple({kUInt8, kString});
  tuple.size = 3;
  tuple.children = {first, second};
  query_internal::GroupTable table;
  std::vector<uint32_t> groups;
  table.Map(std::vector<Vector>{tuple}, 3, &groups);
  EXPECT_EQ(groups, std::vector<uint32_t>({0, 1, 0}));
  EXPECT_EQ(Texts(table.KeyVectors()[0]), "(1,'x') (1,'y')");
}

}  // namespace
}  // namespace mua
