//! Segmentation for full-text search: the terms written to the index and the terms
//! looked up from it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashSet;
use std::time::Instant;

use proptest::prelude::*;
use zongzhi_intel::Segmenter;
use zongzhi_intel::segment::{MAX_QUERY_TERMS, MAX_TERM_CHARS};

fn seg() -> &'static Segmenter {
    Segmenter::shared()
}

fn index_terms(parts: &[&str]) -> HashSet<String> {
    seg()
        .index_text(parts)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a search for `query` finds a record with fields `parts`: what the database
/// does with the index text and the query terms.
fn finds(query: &str, parts: &[&str]) -> bool {
    let terms = seg().query_terms(query);
    let index = index_terms(parts);
    !terms.is_empty() && terms.iter().all(|t| index.contains(t))
}

fn assert_contains_all(terms: &HashSet<String>, expected: &[&str]) {
    for e in expected {
        assert!(terms.contains(*e), "{e:?} missing from {terms:?}");
    }
}

#[test]
fn local_places_and_dispute_words_stay_whole() {
    let terms = index_terms(&["东湖区望江街道新华社区居民反映物业费纠纷"]);
    assert_contains_all(
        &terms,
        &[
            "东湖区",
            "望江街道",
            "新华社区",
            "居民",
            "反映",
            "物业费",
            "纠纷",
        ],
    );
    // Search mode also gives the words inside them.
    assert_contains_all(&terms, &["东湖", "望江", "街道", "社区", "物业"]);

    let q = seg().query_terms("东湖区望江街道新华社区居民反映物业费纠纷");
    assert_eq!(
        q,
        [
            "东湖区",
            "望江街道",
            "新华社区",
            "居民",
            "反映",
            "物业费",
            "纠纷"
        ]
    );
}

#[test]
fn every_place_of_the_demo_jurisdiction_is_one_query_term() {
    let places = "临江市 东湖区 青山县 望江街道 东湖街道 柳河镇 石桥镇 青山镇 白沙镇 枫林乡 \
                  龙潭镇 新华社区 幸福社区 和平村 南岭村 北山村 东坪村 西溪村 杨柳村 桃源村 \
                  金桥社区 青石村 红星村 丰收村 滨江社区 长塘村 梅花村";
    for place in places.split_whitespace() {
        assert_eq!(seg().query_terms(place), [place], "{place}");
        // …also inside a sentence.
        let text = format!("{place}村民反映");
        assert!(index_terms(&[&text]).contains(place), "{text}");
    }
    let terms = seg().query_terms("临江市东湖区望江街道和平村村民");
    assert_eq!(terms, ["临江市", "东湖区", "望江街道", "和平村", "村民"]);
    let terms = seg().query_terms("青山县柳河镇石桥镇龙潭镇枫林乡");
    assert_eq!(terms, ["青山县", "柳河镇", "石桥镇", "龙潭镇", "枫林乡"]);
}

#[test]
fn governance_words_stay_whole() {
    for word in [
        "综治中心",
        "网格员",
        "欠薪",
        "宅基地",
        "物业费",
        "征地拆迁",
        "调解",
        "信访",
        "非警务警情",
        "群体性",
        "扬言报复",
    ] {
        let text = format!("关于{word}的情况");
        assert!(
            seg().query_terms(&text).contains(&word.to_owned()),
            "{text}"
        );
    }
    let terms = index_terms(&["网格员上报一起非警务警情，当事人扬言报复"]);
    assert_contains_all(
        &terms,
        &[
            "网格员",
            "上报",
            "非警务警情",
            "警情",
            "警务",
            "扬言报复",
            "扬言",
            "报复",
        ],
    );
}

#[test]
fn a_word_finds_longer_words_containing_it() {
    // The brief's example: search mode gives 长江 and 大桥 as well as 长江大桥.
    assert_eq!(seg().query_terms("长江"), ["长江"]);
    assert!(finds("长江", &["南京市长江大桥"]));
    assert!(finds("大桥", &["南京市长江大桥"]));
    assert!(finds("长江大桥", &["南京市长江大桥"]));
    assert!(finds("南京", &["南京市长江大桥"]));
    assert!(finds("拆迁", &["征地拆迁补偿款未到位"]));
    assert!(finds("望江", &["望江街道办事处"]));
    assert!(finds("警情", &["非警务警情"]));
    // Dictionary words of four characters and more inside a longer word are indexed too
    // (search mode alone stops at three).
    assert!(finds("精神障碍", &["辖区严重精神障碍患者走失"]));
    assert!(finds("婚姻家庭", &["婚姻家庭纠纷"]));
}

#[test]
fn single_characters_and_split_queries_match() {
    assert!(finds("狗", &["小区有人养狗扰民"]));
    assert!(finds("江", &["南京市长江大桥"]));
    assert!(finds("桥", &["南京市长江大桥"]));
    // 江大桥 is cut into 江 / 大桥.
    assert!(finds("江大桥", &["南京市长江大桥"]));
    // An unknown name is cut into characters and known words, all indexed.
    assert!(finds("王小明", &["王小明反映邻居王小明家漏水"]));
    // Word order does not matter.
    assert!(finds("纠纷物业费", &["物业费纠纷"]));
}

#[test]
fn documented_non_matches() {
    // A query word across a word boundary of the text: 南京市 / 长江大桥.
    assert!(!finds("市长", &["南京市长江大桥"]));
    // Part of a digit or ASCII run.
    assert!(!finds("1234", &["拨打12345热线"]));
    assert!(!finds("hot", &["hotline"]));
    // Every term is required.
    assert!(!finds("物业费 欠薪", &["物业费纠纷"]));
}

#[test]
fn mixed_ascii_and_digits() {
    assert_eq!(seg().query_terms("12345热线"), ["12345", "热线"]);
    assert_contains_all(
        &index_terms(&["12345热线转来工单"]),
        &["12345", "热线", "工单"],
    );
    assert_eq!(seg().query_terms("拨打110报警"), ["拨打", "110", "报警"]);
    // Numbers are not in the dictionary, so longer ones stay whole.
    assert_eq!(seg().query_terms("1100元"), ["1100", "元"]);
    assert_eq!(seg().query_terms("13800138000"), ["13800138000"]);
    // Full-width digits and letters are folded, ASCII is lower-cased.
    assert_eq!(seg().query_terms("１２３４５热线"), ["12345", "热线"]);
    assert_eq!(seg().query_terms("ＷｉＦｉ密码"), ["wifi", "密码"]);
    assert!(finds("WIFI", &["wifi坏了"]));
    // An ASCII run inside a dictionary word is indexed too.
    assert!(finds("4s", &["4S店维修纠纷"]));
    // Connectors split terms, the same way on both sides.
    assert_eq!(seg().query_terms("v2.5.1"), ["v2", "5", "1"]);
    assert!(finds("3号楼2单元", &["幸福社区3号楼2单元"]));
}

#[test]
fn punctuation_and_whitespace_are_dropped() {
    let text = seg().index_text(&["物业费！！纠纷…… “欠薪”？\t\n  (12345)"]);
    for term in text.split(' ') {
        assert!(!term.is_empty(), "{text:?}");
        assert!(
            term.chars().all(char::is_alphanumeric),
            "{term:?} in {text:?}"
        );
    }
    assert_eq!(
        seg().index_text(&["", "  ", "，。！？、；：“”（）《》——……"]),
        ""
    );
    assert!(!text.contains("  ") && !text.starts_with(' ') && !text.ends_with(' '));
}

#[test]
fn parts_are_segmented_separately_and_deduplicated() {
    let text = seg().index_text(&["物业费纠纷", "物业费", "东湖区"]);
    let terms: Vec<&str> = text.split(' ').collect();
    let unique: HashSet<&str> = terms.iter().copied().collect();
    assert_eq!(unique.len(), terms.len(), "{text}");
    // First appearance order: the first part's terms come first.
    assert!(text.starts_with("物业"), "{text}");
    assert!(text.find("纠纷") < text.find("东湖区"), "{text}");
    // No word is formed across two parts.
    assert!(finds("长江大桥", &["长江大桥"]));
    assert!(!finds("长江大桥", &["长江", "大桥"]));
    assert!(finds("长江 大桥", &["长江", "大桥"]));
}

#[test]
fn function_words_are_left_out_of_queries_with_other_terms() {
    assert_eq!(seg().query_terms("小区的物业费"), ["小区", "物业费"]);
    assert!(finds("小区的物业费", &["小区物业费上涨"]));
    // A query of function words alone still searches for them.
    assert_eq!(seg().query_terms("的"), ["的"]);
}

#[test]
fn injection_like_input_gives_a_safe_match_expression() {
    let s = seg();
    assert_eq!(
        s.fts5_match("\" OR 1=1 --").as_deref(),
        Some("\"or\" AND \"1\"")
    );
    assert_eq!(s.fts5_match("*"), None);
    assert_eq!(s.fts5_match("NEAR("), Some("\"near\"".to_owned()));
    assert_eq!(
        s.fts5_match("物业费 NOT 纠纷").as_deref(),
        Some("\"物业费\" AND \"not\" AND \"纠纷\"")
    );
    assert_eq!(
        s.fts5_match("title:欠薪^").as_deref(),
        Some("\"title\" AND \"欠薪\"")
    );
    for q in [
        "\" OR 1=1 --",
        "a\"b",
        "'; DROP TABLE cases; --",
        "NEAR(a b, 2)",
        "{title desc}: x",
        "长江* + -大桥 ^开头 ( ) :",
        "a & b | !c <-> d:*",
    ] {
        // Every term is letters and digits, so quoting is all the escaping FTS5 needs,
        // and nothing in it can be a tsquery operator either.
        for term in s.query_terms(q) {
            assert!(
                term.chars().all(char::is_alphanumeric),
                "{term:?} from {q:?}"
            );
        }
        let m = s.fts5_match(q).unwrap();
        for clause in m.split(" AND ") {
            assert!(clause.len() >= 3 && clause.starts_with('"') && clause.ends_with('"'));
            assert!(!clause[1..clause.len() - 1].contains('"'), "{m}");
        }
    }
}

#[test]
fn blank_queries_have_no_terms() {
    for q in [
        "",
        "   ",
        "\t\n",
        "\u{3000}",
        "，。！？",
        "\"\"",
        "*",
        "-- ;",
        "()",
    ] {
        assert!(seg().query_terms(q).is_empty(), "{q:?}");
        assert!(seg().tsquery_terms(q).is_empty(), "{q:?}");
        assert_eq!(seg().fts5_match(q), None, "{q:?}");
    }
}

#[test]
fn tsquery_terms_are_the_query_terms() {
    let q = "东湖区物业费纠纷 12345";
    assert_eq!(seg().tsquery_terms(q), seg().query_terms(q));
    assert_eq!(
        seg().tsquery_terms(q),
        ["东湖区", "物业费", "纠纷", "12345"]
    );
}

#[test]
fn long_runs_and_long_queries_are_bounded() {
    let blob = "a".repeat(MAX_TERM_CHARS + 1);
    let ok = "b".repeat(MAX_TERM_CHARS);
    let text = seg().index_text(&[&format!("{blob} {ok} 长江")]);
    assert_eq!(text, format!("{ok} 长江 长 江"));
    assert_eq!(seg().query_terms(&blob), Vec::<String>::new());

    let long_query: String = (0..100).map(|i| format!("x{i} ")).collect();
    let terms = seg().query_terms(&long_query);
    assert_eq!(terms.len(), MAX_QUERY_TERMS);
    assert_eq!(terms[0], "x0");
}

#[test]
fn idempotence() {
    let parts = [
        "东湖区望江街道新华社区居民反映物业费纠纷",
        "12345热线：网格员上报非警务警情，当事人扬言报复（ＷｉＦｉ密码 v2.5）",
        "南京市长江大桥 严重精神障碍患者 4S店",
    ];
    let text = seg().index_text(&parts);
    // The same input gives the same output.
    assert_eq!(seg().index_text(&parts), text);
    // Re-indexing an index text gives the same terms.
    let again: HashSet<String> = index_terms(&[&text]);
    let once: HashSet<String> = index_terms(&parts);
    assert_eq!(again, once);
    // Query terms are a fixed point.
    for part in parts {
        let terms = seg().query_terms(part);
        assert_eq!(seg().query_terms(&terms.join(" ")), terms, "{part}");
    }
}

#[test]
fn shared_and_new_agree() {
    let fresh = Segmenter::new();
    let text = "青山县柳河镇和平村宅基地纠纷";
    assert_eq!(fresh.index_text(&[text]), seg().index_text(&[text]));
    assert!(std::ptr::eq(Segmenter::shared(), Segmenter::shared()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A query finds the text it was typed from, and any one of its parts, whatever the
    /// characters (Chinese, ASCII, full-width, punctuation).
    #[test]
    fn a_text_is_found_by_itself(
        a in "[长江大桥南京市东湖区望江街道物业费纠纷的了和a-zA-Z0-9１２ＡＢ .,，。\"*()-]{0,40}",
        b in "\\PC{0,20}",
    ) {
        let index = index_terms(&[&a, &b]);
        for part in [&a, &b] {
            for term in seg().query_terms(part) {
                prop_assert!(index.contains(&term), "{term:?} of {part:?} not in {index:?}");
            }
        }
        if let Some(m) = seg().fts5_match(&a) {
            prop_assert!(m.starts_with('"') && m.ends_with('"'));
        }
    }
}

/// Throughput on about 1 MB of generated case text, printed (no timing assertions; run
/// with `cargo test -p zongzhi-intel --release -- --ignored --nocapture`).
#[test]
#[ignore]
fn measure_throughput() {
    const WORDS: &[&str] = &[
        "东湖区",
        "望江街道",
        "新华社区",
        "居民",
        "反映",
        "物业费",
        "纠纷",
        "小区",
        "楼上",
        "漏水",
        "多次",
        "协商",
        "未果",
        "网格员",
        "上门",
        "调解",
        "欠薪",
        "农民工",
        "工地",
        "包工头",
        "拖欠",
        "工资",
        "12345",
        "热线",
        "转来",
        "工单",
        "宅基地",
        "邻居",
        "占用",
        "征地拆迁",
        "补偿款",
        "未到位",
        "情绪",
        "激动",
        "扬言报复",
        "派出所",
        "110",
        "出警",
        "非警务警情",
        "柳河镇",
        "和平村",
        "村民",
        "噪音",
        "扰民",
        "夜间",
        "施工",
        "，",
        "。",
        "的",
        "了",
        "3号楼",
        "2单元",
        "要求",
        "尽快",
        "处理",
        "南京市长江大桥",
        "养狗",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Records of about 300 bytes (100 characters), like a case description.
    let mut records = Vec::new();
    let mut total = 0;
    while total < 1_000_000 {
        let mut record = String::new();
        while record.len() < 300 {
            record.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
        }
        total += record.len();
        records.push(record);
    }

    let seg = Segmenter::shared();
    let start = Instant::now();
    let mut terms = 0;
    let mut out_bytes = 0;
    let mut texts = Vec::with_capacity(records.len());
    for record in &records {
        let text = seg.index_text(&[record]);
        terms += text.split(' ').count();
        out_bytes += text.len();
        texts.push(text);
    }
    let index_secs = start.elapsed().as_secs_f64();
    // What indexing every Chinese character on its own costs.
    let single_chars = texts
        .iter()
        .flat_map(|t| t.split(' '))
        .filter(|t| t.chars().count() == 1 && !t.is_ascii())
        .count();

    let start = Instant::now();
    let mut query_terms = 0;
    for record in &records {
        query_terms += seg.query_terms(record).len();
    }
    let query_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let fresh = Segmenter::new();
    let load = start.elapsed();
    drop(fresh);

    println!(
        "index_text: {} records, {:.2} MB in {:.3} s = {:.2} MB/s, {:.0} records/s, \
         {terms} terms = {:.0} terms/s; index text {:.2} MB ({:.2}× input)",
        records.len(),
        total as f64 / 1e6,
        index_secs,
        total as f64 / 1e6 / index_secs,
        records.len() as f64 / index_secs,
        terms as f64 / index_secs,
        out_bytes as f64 / 1e6,
        out_bytes as f64 / total as f64,
    );
    println!(
        "single-character terms: {single_chars} ({:.0}% of terms)",
        100.0 * single_chars as f64 / terms as f64
    );
    println!(
        "query_terms: {query_terms} terms in {:.3} s = {:.0} terms/s; Segmenter::new: {:?}",
        query_secs,
        query_terms as f64 / query_secs,
        load,
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reindexing_is_stable(
        a in "[长江大桥南京市东湖区望江街道物业费纠纷的了和平村民严重精神障碍患者湖区新华社区a-z0-9 ，]{0,40}",
    ) {
        let text = seg().index_text(&[&a]);
        prop_assert_eq!(index_terms(&[&text]), index_terms(&[&a]), "{}", text);
        let terms = seg().query_terms(&a);
        prop_assert_eq!(seg().query_terms(&terms.join(" ")), terms);
    }
}
