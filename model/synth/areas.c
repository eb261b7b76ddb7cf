/* areas.c — the places below the regions and the competitors of the synthetic operator.
 *
 * An operator's analyst drills down from a province to its prefectures (seed 000: "drilled down from
 * prefecture to county"), so a generated snapshot may carry areas: each region's prefecture-level
 * cities (real names, the capital first), a subscriber's area drawn once from his profile (it
 * persists month to month), bigger cities more likely. A provincial operator (`generate --operator
 * province:河南`) has the province's prefectures as its regions and, with areas, their districts and
 * counties (real names where listed here, else the prefecture's 城区 and 郊县). The competitors
 * (seed 000's call forwarding "to each competitor", seed 002's "to which competitor") split the
 * shopping-around signals of churn.c into one column per competitor; the aggregate columns stay, so
 * the rules and every model read what they read before.
 */
#include "synth_impl.h"

#include <stdio.h>
#include <string.h>

/* Prefecture-level areas of each national region (same order as profile.c's region_names). A
 * municipality lists its districts. Names carry their suffix (市, 区, 州, 盟), which keeps them unique
 * across provinces (北京's 朝阳区 and 辽宁's 朝阳市). */
static const char *const nat_areas[SYNTH_MAX_REGIONS][22] = {
    {"朝阳区", "海淀区", "丰台区", "东城区", "西城区", "昌平区", "大兴区", "通州区"},
    {"浦东新区", "闵行区", "宝山区", "徐汇区", "松江区", "嘉定区", "黄浦区", "静安区"},
    {"广州市", "深圳市", "东莞市", "佛山市", "汕头市", "惠州市", "湛江市", "茂名市", "揭阳市",
     "江门市", "肇庆市", "梅州市", "清远市", "中山市", "珠海市", "韶关市", "河源市", "阳江市",
     "潮州市", "汕尾市", "云浮市"},
    {"南京市", "苏州市", "无锡市", "徐州市", "常州市", "南通市", "盐城市", "扬州市", "淮安市",
     "连云港市", "泰州市", "宿迁市", "镇江市"},
    {"杭州市", "宁波市", "温州市", "金华市", "台州市", "绍兴市", "嘉兴市", "湖州市", "衢州市",
     "丽水市", "舟山市"},
    {"济南市", "青岛市", "临沂市", "潍坊市", "济宁市", "菏泽市", "烟台市", "聊城市", "德州市",
     "泰安市", "淄博市", "滨州市", "枣庄市", "日照市", "威海市", "东营市"},
    {"郑州市", "洛阳市", "南阳市", "周口市", "商丘市", "新乡市", "信阳市", "驻马店市", "平顶山市",
     "安阳市", "开封市", "许昌市", "焦作市", "濮阳市", "漯河市", "三门峡市", "鹤壁市", "济源市"},
    {"成都市", "南充市", "达州市", "绵阳市", "宜宾市", "泸州市", "凉山州", "德阳市", "乐山市",
     "眉山市"},
    {"武汉市", "襄阳市", "荆州市", "宜昌市", "黄冈市", "孝感市", "十堰市", "恩施州"},
    {"长沙市", "衡阳市", "邵阳市", "岳阳市", "常德市", "株洲市", "永州市", "怀化市", "郴州市"},
    {"石家庄市", "保定市", "邯郸市", "唐山市", "沧州市", "邢台市", "廊坊市", "衡水市", "张家口市",
     "秦皇岛市", "承德市"},
    {"福州市", "厦门市", "泉州市", "漳州市", "莆田市", "龙岩市", "三明市", "南平市", "宁德市"},
    {"合肥市", "阜阳市", "宿州市", "亳州市", "六安市", "安庆市", "芜湖市", "滁州市", "蚌埠市"},
    {"沈阳市", "大连市", "鞍山市", "锦州市", "营口市", "抚顺市", "丹东市", "朝阳市"},
    {"西安市", "咸阳市", "宝鸡市", "渭南市", "汉中市", "榆林市", "延安市"},
    {"渝北区", "九龙坡区", "万州区", "江北区", "沙坪坝区", "南岸区", "涪陵区"},
    {"南昌市", "赣州市", "上饶市", "九江市", "吉安市", "宜春市", "抚州市"},
    {"南宁市", "桂林市", "柳州市", "玉林市", "贵港市", "百色市", "钦州市"},
    {"滨海新区", "南开区", "和平区", "河西区", "西青区", "武清区"},
    {"太原市", "大同市", "运城市", "临汾市", "长治市", "晋中市"},
    {"呼和浩特市", "包头市", "赤峰市", "鄂尔多斯市", "通辽市", "呼伦贝尔市"},
    {"长春市", "吉林市", "四平市", "延边州", "松原市"},
    {"哈尔滨市", "齐齐哈尔市", "大庆市", "绥化市", "牡丹江市", "佳木斯市"},
    {"海口市", "三亚市", "儋州市"},
    {"贵阳市", "遵义市", "毕节市", "黔南州", "铜仁市", "六盘水市"},
    {"昆明市", "曲靖市", "红河州", "昭通市", "大理州", "文山州"},
    {"拉萨市", "日喀则市", "昌都市"},
    {"兰州市", "天水市", "定西市", "陇南市", "庆阳市"},
    {"西宁市", "海东市", "海西州"},
    {"银川市", "吴忠市", "固原市", "石嘴山市"},
    {"乌鲁木齐市", "喀什地区", "伊犁州", "阿克苏地区", "昌吉州"},
};

/* Provincial operators: the province, its prefectures (the regions: names without 市, as a
 * provincial company writes them) and, for some, their districts and counties. */
typedef struct {
    const char *province;
    const char *const *pref;
    unsigned n_pref;
    const char *const (*county)[14]; /* [n_pref][14], NULL-padded; NULL rows: 城区 and 郊县 */
} synth_province;

static const char *const henan_pref[] = {
    "郑州", "洛阳", "南阳", "周口", "商丘", "新乡", "信阳", "驻马店", "平顶山",
    "安阳", "开封", "许昌", "焦作", "濮阳", "漯河", "三门峡", "鹤壁", "济源"};
static const char *const henan_county[18][14] = {
    {"金水区", "中原区", "二七区", "管城区", "惠济区", "上街区", "中牟县", "巩义市", "荥阳市",
     "新密市", "新郑市", "登封市"},
    {"洛龙区", "西工区", "老城区", "涧西区", "瀍河区", "偃师区", "孟津区", "新安县", "宜阳县",
     "洛宁县", "伊川县", "嵩县", "汝阳县", "栾川县"},
    {"宛城区", "卧龙区", "邓州市", "唐河县", "新野县", "镇平县", "方城县", "南召县", "内乡县",
     "淅川县", "社旗县", "桐柏县", "西峡县"},
    {"川汇区", "淮阳区", "项城市", "太康县", "鹿邑县", "郸城县", "沈丘县", "商水县", "西华县",
     "扶沟县"},
    {"梁园区", "睢阳区", "永城市", "虞城县", "夏邑县", "柘城县", "宁陵县", "睢县", "民权县"},
    {"红旗区", "卫滨区", "牧野区", "凤泉区", "卫辉市", "辉县市", "长垣市", "获嘉县", "原阳县",
     "延津县", "封丘县", "新乡县"},
    {"浉河区", "平桥区", "固始县", "潢川县", "息县", "淮滨县", "光山县", "商城县", "罗山县",
     "新县"},
    {"驿城区", "确山县", "泌阳县", "遂平县", "西平县", "上蔡县", "汝南县", "平舆县", "新蔡县",
     "正阳县"},
    {"新华区", "卫东区", "湛河区", "石龙区", "舞钢市", "汝州市", "宝丰县", "叶县", "鲁山县",
     "郏县"},
    {"文峰区", "北关区", "殷都区", "龙安区", "林州市", "安阳县", "汤阴县", "滑县", "内黄县"},
    {"鼓楼区", "龙亭区", "顺河回族区", "禹王台区", "祥符区", "杞县", "通许县", "尉氏县", "兰考县"},
    {"魏都区", "建安区", "禹州市", "长葛市", "鄢陵县", "襄城县"},
    {"解放区", "山阳区", "中站区", "马村区", "沁阳市", "孟州市", "修武县", "博爱县", "武陟县",
     "温县"},
    {"华龙区", "清丰县", "南乐县", "范县", "台前县", "濮阳县"},
    {"源汇区", "郾城区", "召陵区", "舞阳县", "临颍县"},
    {"湖滨区", "陕州区", "义马市", "灵宝市", "渑池县", "卢氏县"},
    {"淇滨区", "山城区", "鹤山区", "浚县", "淇县"},
    {"济源城区", "济源郊县"},
};
static const char *const guangdong_pref[] = {
    "广州", "深圳", "东莞", "佛山", "汕头", "惠州", "湛江", "茂名", "揭阳", "江门", "肇庆",
    "梅州", "清远", "中山", "珠海", "韶关", "河源", "阳江", "潮州", "汕尾", "云浮"};
static const char *const guangdong_county[21][14] = {
    {"天河区", "越秀区", "海珠区", "荔湾区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区",
     "从化区", "增城区"},
    {"福田区", "罗湖区", "南山区", "宝安区", "龙岗区", "盐田区", "龙华区", "坪山区", "光明区"},
    {"莞城街道", "南城街道", "东城街道", "虎门镇", "长安镇", "厚街镇", "塘厦镇", "常平镇"},
    {"禅城区", "南海区", "顺德区", "三水区", "高明区"},
    {"金平区", "龙湖区", "濠江区", "潮阳区", "潮南区", "澄海区", "南澳县"},
};

static const synth_province provinces[] = {
    {"河南", henan_pref, 18, henan_county},
    {"广东", guangdong_pref, 21, guangdong_county},
};
#define N_PROVINCES (sizeof provinces / sizeof provinces[0])

/* Relative sizes of the areas of a region: the first (the capital) biggest, then falling. */
static double area_weight(unsigned k) { return 1.0 / (1.0 + 0.35 * k); }

int synth_province_index(const char *name)
{
    for (size_t i = 0; name && i < N_PROVINCES; i++)
        if (strcmp(provinces[i].province, name) == 0) return (int)i;
    return -1;
}

const char *synth_province_name(int i)
{
    return i >= 0 && (size_t)i < N_PROVINCES ? provinces[i].province : NULL;
}

unsigned synth_province_regions(int i)
{
    return i >= 0 && (size_t)i < N_PROVINCES ? provinces[i].n_pref : 0;
}

const char *synth_region_name_of(const synth_params *p, unsigned i)
{
    if (p->province < 0) return synth_region_name(i);
    const synth_province *v = &provinces[p->province];
    return i < v->n_pref ? v->pref[i] : NULL;
}

/* The areas of region r: count, and the k-th name written into buf (generic names are composed). */
static unsigned region_areas(const synth_params *p, unsigned r)
{
    unsigned n = 0;
    if (p->province < 0) {
        while (n < 22 && nat_areas[r][n]) n++;
        return n;
    }
    const synth_province *v = &provinces[p->province];
    while (n < 14 && v->county[r][n]) n++;
    return n ? n : 2;
}

static const char *region_area_name(const synth_params *p, unsigned r, unsigned k, char *buf, size_t len)
{
    if (p->province < 0) return nat_areas[r][k];
    const synth_province *v = &provinces[p->province];
    if (v->county[r][0]) return v->county[r][k];
    snprintf(buf, len, "%s%s", v->pref[r], k == 0 ? "城区" : "郊县");
    return buf;
}

unsigned synth_n_areas(const synth_params *p)
{
    if (!p->areas) return 0;
    unsigned n = 0;
    for (unsigned r = 0; r < p->n_regions; r++) n += region_areas(p, r);
    return n;
}

int synth_area(const synth_params *p, unsigned a, char *name, size_t len, unsigned *region)
{
    for (unsigned r = 0; p->areas && r < p->n_regions; r++) {
        unsigned k = region_areas(p, r);
        if (a < k) {
            snprintf(name, len, "%s", region_area_name(p, r, a, name, len));
            *region = r;
            return 0;
        }
        a -= k;
    }
    return -1;
}

void synth_areas_init(const synth_params *p, synth_ctx *c)
{
    unsigned a = 0;
    c->n_areas = 0;
    for (unsigned r = 0; p->areas && r < p->n_regions; r++) {
        unsigned k = region_areas(p, r);
        double tot = 0.0, acc = 0.0;
        for (unsigned j = 0; j < k; j++) tot += area_weight(j);
        c->area0[r] = a;
        c->area_n[r] = k;
        for (unsigned j = 0; j < k && a < SYNTH_MAX_AREAS; j++, a++) {
            acc += area_weight(j);
            c->area_cumw[a] = acc / tot;
        }
    }
    c->n_areas = a;
}

unsigned synth_area_draw(const synth_ctx *c, uint64_t kp, unsigned region)
{
    double u = unif(kp, D_AREA);
    unsigned a = c->area0[region], k = 0;
    while (k + 1 < c->area_n[region] && u > c->area_cumw[a + k]) k++;
    return a + k;
}

/* ---------------------------------------------------------------- competitors */

static const char *const competitor_key[SYNTH_MAX_COMPETITORS] = {"telecom", "unicom", "broadnet"};
static const double competitor_share[SYNTH_MAX_COMPETITORS] = {0.5, 0.4, 0.1};
static const char *const comp_col_fmt[3] = {"forward_to_%s_m3", "competitor_service_calls_%s_m3",
                                            "dual_sim_%s"};
static const int comp_col_src[3] = {C_FORWARD, C_COMP_CALLS, C_DUAL_SIM};

const char *synth_competitor_name(unsigned i)
{
    return i < SYNTH_MAX_COMPETITORS ? competitor_key[i] : NULL;
}

const char *synth_competitor_column(unsigned j, char *buf, size_t len)
{
    if (j >= 3 * SYNTH_MAX_COMPETITORS) return NULL;
    snprintf(buf, len, comp_col_fmt[j % 3], competitor_key[j / 3]);
    return buf;
}

void synth_competitor_columns(const synth_params *p, const synth_draw *d, float *out)
{
    /* which competitor pulls a subscriber: a profile draw, the shares renormalised over the
     * competitors the operator has */
    double tot = 0.0, acc = 0.0;
    for (unsigned c = 0; c < p->competitors; c++) tot += competitor_share[c];
    double u = unif(d->kp, D_COMPETITOR) * tot;
    unsigned who = 0;
    for (acc = competitor_share[0]; who + 1 < p->competitors && u > acc; acc += competitor_share[++who]) {}
    for (unsigned c = 0; c < p->competitors; c++)
        for (int k = 0; k < 3; k++) {
            double v = d->x[comp_col_src[k]];
            /* a missing aggregate is missing in every split too */
            out[3 * c + k] = (float)(isnan(v) ? v : c == who ? v : 0.0);
        }
}
