use super::*;
use crate::ir::{RefTo, Resource};
use crate::source::SourceMap;

const YAML: &str = include_str!("../../../fixtures/frontend/cfn/intrinsics.yaml");
const JSON: &str = include_str!("../../../fixtures/frontend/cfn/intrinsics.json");

fn lower_with(name: &str, text: &str, settings: &Settings) -> Option<Lowered> {
    let map = SourceMap::default();
    let file = map.add(name.into(), text);
    lower_file(&file, settings)
}

fn lower(text: &str) -> Lowered {
    lower_with("t.yaml", text, &Settings::default()).expect("a template")
}

fn resource<'a>(l: &'a Lowered, id: &str) -> &'a Resource {
    l.resources
        .iter()
        .find(|r| r.address == id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

/// `Properties.<path>` of resource `id`, `path` dot-separated (list indexes as numbers).
fn attr<'a>(l: &'a Lowered, id: &str, path: &str) -> &'a Val {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default();
    let mut v = resource(l, id)
        .attr(first)
        .unwrap_or_else(|| panic!("{id} has no {first}"));
    for p in parts {
        v = match p.parse::<usize>() {
            Ok(i) => &v.as_list().expect("a list")[i],
            Err(_) => v.get(p).unwrap_or_else(|| panic!("no {p} in {path}")),
        };
    }
    v
}

fn string(v: &Val) -> &str {
    match &v.value {
        Value::String(s) => s,
        other => panic!("not a string: {other:?}"),
    }
}

fn reason(v: &Val) -> &str {
    &v.as_unknown().expect("an unknown").reason
}

/// A template with a `Parameters`/`Conditions` prelude and one resource `R` of `props`.
fn template(prelude: &str, props: &str) -> String {
    format!("AWSTemplateFormatVersion: '2010-09-09'\n{prelude}\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.1.0.0/16\n  R:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n{props}\n")
}

#[test]
fn non_templates_are_not_lowered() {
    let s = Settings::default();
    let k8s = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n";
    assert!(lower_with("svc.yaml", k8s, &s).is_none());
    let pkg = "{\"name\": \"x\", \"version\": \"1.0.0\"}";
    assert!(lower_with("package.json", pkg, &s).is_none());
    let workflow = "on: push\njobs:\n  x:\n    steps:\n      - run: echo AWS::EC2::VPC\n";
    assert!(lower_with("ci.yml", workflow, &s).is_none());
    let expect = "{\"must\": [{\"rule\": \"NET003\", \"note\": \"AWS::EC2::Instance\"}]}";
    assert!(lower_with("expect.json", expect, &s).is_none());
    let helm = "kind: x\nmetadata: {{ .Values.x }}\n  bad: [\n";
    assert!(lower_with("t.yaml", helm, &s).is_none());
}

#[test]
fn broken_templates_are_errors() {
    let l = lower("AWSTemplateFormatVersion: x\nResources:\n  A: [\n");
    assert_eq!(l.errors.len(), 1);
    assert!(l.resources.is_empty());
    let l = lower_with(
        "t.json",
        "{\"Resources\": {\"A\": {\"Type\": \"AWS::EC2::VPC\"},}}",
        &Settings::default(),
    )
    .unwrap();
    assert!(
        l.errors.is_empty(),
        "JSON with a trailing comma is read as YAML"
    );
    assert_eq!(l.resources.len(), 1);
}

#[test]
fn resources_carry_kind_key_and_span() {
    let text = template("", "      GroupDescription: x");
    let l = lower(&text);
    let r = resource(&l, "R");
    assert_eq!(r.kind, "AWS::EC2::SecurityGroup");
    assert_eq!(r.key, "t.yaml::R");
    assert_eq!(r.frontend, Frontend::CloudFormation);
    assert_eq!(&text[r.span.range()], "R");
    assert_eq!(r.exists, Existence::Yes);
    let d = attr(&l, "R", "GroupDescription");
    assert_eq!(&text[d.span.range()], "x");
}

#[test]
fn parameter_default_and_override() {
    let prelude = "Parameters:\n  Cidr:\n    Type: String\n    Default: 0.0.0.0/0\n";
    let text = template(prelude, "      CidrIp: !Ref Cidr");
    let l = lower(&text);
    let v = attr(&l, "R", "CidrIp");
    assert_eq!(string(v), "0.0.0.0/0");
    assert_eq!(&text[v.span.range()], "!Ref Cidr");
    assert_eq!(v.origins.len(), 1);
    assert_eq!(&text[v.origins[0].span.range()], "0.0.0.0/0");
    assert_eq!(
        &*v.origins[0].message,
        "value comes from parameter 'Cidr' default"
    );

    let mut s = Settings::default();
    s.parameters.insert("Cidr".into(), "10.0.0.0/8".into());
    let l = lower_with("t.yaml", &text, &s).unwrap();
    let v = attr(&l, "R", "CidrIp");
    assert_eq!(string(v), "10.0.0.0/8");
    assert_eq!(&*v.origins[0].message, "value comes from --parameter Cidr");
}

#[test]
fn parameters_without_value() {
    let prelude = "Parameters:\n  Cidr:\n    Type: String\n  Env:\n    Type: String\n    AllowedValues: [dev, prod]\n  Ami:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /aws/ami\n  Port:\n    Type: Number\n    Default: '22'\n";
    let text = template(
        prelude,
        "      CidrIp: !Ref Cidr\n      Env: !Ref Env\n      Ami: !Ref Ami\n      Port: !Ref Port",
    );
    let l = lower(&text);
    let v = attr(&l, "R", "CidrIp");
    assert_eq!(reason(v), "parameter 'Cidr' has no value");
    assert_eq!(&text[v.origins[0].span.range()], "Cidr");
    let v = attr(&l, "R", "Env");
    let cands: Vec<&str> = v
        .as_unknown()
        .unwrap()
        .candidates
        .iter()
        .map(string)
        .collect();
    assert_eq!(cands, ["dev", "prod"]);
    assert!(reason(attr(&l, "R", "Ami")).contains("SSM"));
    assert_eq!(attr(&l, "R", "Port").value, Value::Number(22.0));
    assert_eq!(l.unknowns.get("parameter without value"), Some(&2));
    assert_eq!(l.unknowns.get("SSM parameter"), Some(&1));
}

#[test]
fn refs_to_resources_and_pseudo_parameters() {
    let text = template(
        "",
        "      VpcId: !Ref Vpc\n      Region: !Ref AWS::Region\n      Url: !Ref AWS::URLSuffix\n      Gone: !Ref AWS::NoValue\n      List: [a, !Ref AWS::NoValue, b]\n      Missing: !Ref Nope",
    );
    let l = lower(&text);
    assert_eq!(
        attr(&l, "R", "VpcId").as_ref_to(),
        Some(&RefTo {
            key: "t.yaml::Vpc".into(),
            attr: REF_ATTR.into()
        })
    );
    assert_eq!(
        reason(attr(&l, "R", "Region")),
        "pseudo parameter AWS::Region is known only at deploy time"
    );
    assert_eq!(string(attr(&l, "R", "Url")), "amazonaws.com");
    assert!(resource(&l, "R").attr("Gone").is_none());
    assert_eq!(attr(&l, "R", "List").as_list().unwrap().len(), 2);
    assert!(reason(attr(&l, "R", "Missing")).contains("'Nope'"));
    assert_eq!(l.unknowns.get("pseudo parameter"), Some(&1));
}

#[test]
fn get_att_mirrors_known_properties() {
    let text = template(
        "",
        "      A: !GetAtt Vpc.CidrBlock\n      B: !GetAtt [Vpc, DefaultSecurityGroup]\n      C: {\"Fn::GetAtt\": [Vpc, CidrBlock]}",
    );
    let l = lower(&text);
    let a = attr(&l, "R", "A");
    assert_eq!(string(a), "10.1.0.0/16");
    assert_eq!(&text[a.span.range()], "!GetAtt Vpc.CidrBlock");
    assert_eq!(&text[a.origins[0].span.range()], "10.1.0.0/16");
    assert_eq!(
        attr(&l, "R", "B").as_ref_to().unwrap().attr,
        "DefaultSecurityGroup"
    );
    assert_eq!(string(attr(&l, "R", "C")), "10.1.0.0/16");
}

#[test]
fn get_att_cycles_are_bounded() {
    let text = "Resources:\n  A:\n    Type: AWS::EC2::Subnet\n    Properties:\n      CidrBlock: !GetAtt B.CidrBlock\n  B:\n    Type: AWS::EC2::Subnet\n    Properties:\n      CidrBlock: !GetAtt A.CidrBlock\n";
    let l = lower(text);
    let r = attr(&l, "A", "CidrBlock").as_ref_to().unwrap();
    assert_eq!(
        (r.key.as_str(), r.attr.as_str()),
        ("t.yaml::B", "CidrBlock")
    );
}

#[test]
fn conditions_and_if() {
    let prelude = "Parameters:\n  Env:\n    Type: String\n    AllowedValues: [dev, prod]\n  Mode:\n    Type: String\n    Default: open\nConditions:\n  IsDev: !Equals [!Ref Env, dev]\n  IsOpen: !Equals [open, !Ref Mode]\n  IsQa: !Equals [!Ref Env, qa]\n  Both: !And [!Condition IsOpen, !Not [!Condition IsQa]]\n  Loop: !Not [!Condition Loop]\n";
    let text = template(
        prelude,
        "      Public: !If [IsDev, true, false]\n      Open: !If [IsOpen, 0.0.0.0/0, 10.0.0.0/8]\n      Both: !If [Both, yes, no]\n      Loop: !If [Loop, a, b]\n      Maybe: !If [IsDev, x, !Ref AWS::NoValue]\n      Gone: !If [IsQa, x, !Ref AWS::NoValue]\n      Eq: !Equals [a, a]\n      Same: !If [IsDev, 22, 22]",
    );
    let l = lower(&text);
    let p = attr(&l, "R", "Public");
    assert_eq!(
        reason(p),
        "condition 'IsDev' is unknown because parameter 'Env' has no value"
    );
    let cands: Vec<&Value> = p
        .as_unknown()
        .unwrap()
        .candidates
        .iter()
        .map(|c| &c.value)
        .collect();
    assert_eq!(cands, [&Value::Bool(true), &Value::Bool(false)]);
    assert_eq!(string(attr(&l, "R", "Open")), "0.0.0.0/0");
    assert_eq!(string(attr(&l, "R", "Both")), "yes");
    assert!(reason(attr(&l, "R", "Loop")).contains("refers to itself"));
    let maybe = attr(&l, "R", "Maybe").as_unknown().unwrap();
    assert_eq!(maybe.candidates[1].value, Value::Null);
    assert!(resource(&l, "R").attr("Gone").is_none());
    assert_eq!(attr(&l, "R", "Eq").value, Value::Bool(true));
    assert_eq!(attr(&l, "R", "Same").value, Value::Number(22.0));
}

#[test]
fn resource_conditions_decide_existence() {
    let text = "Parameters:\n  Env:\n    Type: String\nConditions:\n  IsDev: !Equals [!Ref Env, dev]\n  Never: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::EC2::VPC\n    Condition: IsDev\n  B:\n    Type: AWS::EC2::VPC\n    Condition: Never\n";
    let l = lower(text);
    assert_eq!(l.resources.len(), 1);
    let Existence::Maybe(v) = &resource(&l, "A").exists else {
        panic!("A exists only maybe");
    };
    assert!(reason(v).contains("'IsDev'"));
}

#[test]
fn sub_join_select_split() {
    let prelude = "Parameters:\n  Name:\n    Type: String\n    Default: web\n";
    let text = template(
        prelude,
        "      A: !Sub '${Name}-${!Literal}-${AWS::URLSuffix}'\n      B: !Sub ['${X}/${Name}', {X: 10}]\n      C: !Sub 'arn:${AWS::Region}'\n      D: !Sub '${Vpc.CidrBlock}'\n      E: !Sub '${Vpc}'\n      F: !Join ['-', [a, !Ref Name, 1]]\n      G: !Select [1, !Split [',', 'a,b,c']]\n      H: !Select ['0', [x, y]]\n      I: !Select [5, [x]]\n      J: !Join ['', [!Ref Vpc]]\n      K: !Select [0, !GetAtt Vpc.Ipv6CidrBlocks]",
    );
    let l = lower(&text);
    assert_eq!(string(attr(&l, "R", "A")), "web-${Literal}-amazonaws.com");
    assert_eq!(string(attr(&l, "R", "B")), "10/web");
    assert!(reason(attr(&l, "R", "C")).contains("AWS::Region"));
    assert_eq!(string(attr(&l, "R", "D")), "10.1.0.0/16");
    assert_eq!(
        reason(attr(&l, "R", "E")),
        "'Vpc' is known only after deploy"
    );
    assert_eq!(string(attr(&l, "R", "F")), "a-web-1");
    assert_eq!(string(attr(&l, "R", "G")), "b");
    let h = attr(&l, "R", "H");
    assert_eq!(string(h), "x");
    assert_eq!(&text[h.span.range()], "x");
    assert!(reason(attr(&l, "R", "I")).contains("out of range"));
    assert_eq!(
        reason(attr(&l, "R", "K")),
        "'Vpc.Ipv6CidrBlocks' is known only after deploy"
    );
    assert_eq!(l.unknowns.get("resource attribute"), Some(&3));
}

#[test]
fn find_in_map() {
    let prelude = "Parameters:\n  Env:\n    Type: String\nMappings:\n  M:\n    dev: {Cidr: 10.0.0.0/8, Size: s}\n    prod: {Cidr: 10.0.0.0/8, Size: l}\n";
    let text = template(
        prelude,
        "      A: !FindInMap [M, dev, Size]\n      B: !FindInMap [M, !Ref Env, Cidr]\n      C: !FindInMap [M, !Ref Env, Size]\n      D: !FindInMap [M, qa, Size, {DefaultValue: z}]\n      E: !FindInMap [M, qa, Size]",
    );
    let l = lower(&text);
    let a = attr(&l, "R", "A");
    assert_eq!(string(a), "s");
    assert_eq!(&*a.origins[0].message, "value comes from mapping 'M'");
    assert_eq!(string(attr(&l, "R", "B")), "10.0.0.0/8");
    let c = attr(&l, "R", "C").as_unknown().unwrap();
    assert_eq!(c.candidates.len(), 2);
    assert_eq!(c.reason, "parameter 'Env' has no value");
    assert_eq!(string(attr(&l, "R", "D")), "z");
    assert!(reason(attr(&l, "R", "E")).contains("no such entry"));
}

#[test]
fn cidr_base64_and_deploy_time_values() {
    let text = template(
        "",
        "      V4: !Cidr [10.0.0.0/16, 3, 8]\n      V6: !Cidr ['2600:1f14::/56', 2, 64]\n      Big: !Cidr [10.0.0.0/24, 2, 9]\n      UserData: !Base64 {'Fn::Sub': 'x=${AWS::URLSuffix}'}\n      Imp: !ImportValue net-vpc\n      Azs: !GetAZs ''\n      T: {'Fn::Transform': {Name: X}}\n      Len: !Length [a, b]\n      Json: {'Fn::ToJsonString': {a: [1, true]}}\n      Odd: !Frobnicate x",
    );
    let l = lower(&text);
    let v4: Vec<&str> = attr(&l, "R", "V4")
        .as_list()
        .unwrap()
        .iter()
        .map(string)
        .collect();
    assert_eq!(v4, ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
    let v6: Vec<&str> = attr(&l, "R", "V6")
        .as_list()
        .unwrap()
        .iter()
        .map(string)
        .collect();
    assert_eq!(v6, ["2600:1f14::/64", "2600:1f14:0:1::/64"]);
    assert!(reason(attr(&l, "R", "Big")).starts_with("Fn::Cidr"));
    assert_eq!(string(attr(&l, "R", "UserData")), "x=amazonaws.com");
    assert_eq!(
        reason(attr(&l, "R", "Imp")),
        "Fn::ImportValue 'net-vpc' is resolved at deploy time"
    );
    assert!(reason(attr(&l, "R", "Azs")).starts_with("Fn::GetAZs"));
    assert!(reason(attr(&l, "R", "T")).starts_with("Fn::Transform"));
    assert_eq!(attr(&l, "R", "Len").value, Value::Number(2.0));
    assert_eq!(string(attr(&l, "R", "Json")), "{\"a\":[1,true]}");
    assert!(reason(attr(&l, "R", "Odd")).contains("Frobnicate"));
    assert_eq!(l.unknowns.get("Fn::ImportValue"), Some(&1));
}

#[test]
fn skips_are_spanned() {
    let macro_t = "AWSTemplateFormatVersion: x\nTransform: [AWS::Serverless-2016-10-31, MyMacro]\nResources:\n  A:\n    Type: AWS::EC2::VPC\n";
    let l = lower(macro_t);
    assert!(l.resources.is_empty());
    assert_eq!(l.skipped[0].reason, "Transform MyMacro is not evaluated");
    assert_eq!(&macro_t[l.skipped[0].span.range()], "MyMacro");

    let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n";
    assert_eq!(lower(sam).resources[0].kind, "AWS::Serverless::Function");

    let text = "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Buckets:\n    - B\n    - [a]\n    - X: {Type: AWS::S3::Bucket}\n  Odd:\n    Type: !Rain::Module x.yml\n  Ok:\n    Type: AWS::EC2::VPC\n";
    let l = lower(text);
    assert_eq!(l.resources.len(), 1);
    assert_eq!(
        l.skipped[0].reason,
        "Transform AWS::LanguageExtensions (Fn::ForEach) is not evaluated"
    );
    assert_eq!(l.skipped[1].reason, "resource 'Odd' has no Type string");
    assert_eq!(&text[l.skipped[1].span.range()], "!Rain::Module x.yml");
}

#[test]
fn yaml_and_json_lower_alike() {
    let s = Settings::default();
    let y = lower_with("t.yaml", YAML, &s).unwrap();
    let j = lower_with("t.json", JSON, &s).unwrap();
    assert!(y.errors.is_empty() && j.errors.is_empty());
    let ids = |l: &Lowered| {
        l.resources
            .iter()
            .map(|r| r.address.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&y), ["Vpc", "Subnet", "Sg", "Web"]);
    assert_eq!(ids(&y), ids(&j));
    for (a, b) in y.resources.iter().zip(&j.resources) {
        assert_eq!(plain_attrs(a), plain_attrs(b), "{}", a.address);
        assert_eq!(
            a.exists.clone() == Existence::Yes,
            b.exists == Existence::Yes
        );
    }
    assert_eq!(y.unknowns, j.unknowns);

    assert_eq!(string(attr(&y, "Vpc", "CidrBlock")), "10.0.0.0/16");
    assert_eq!(string(attr(&y, "Subnet", "CidrBlock")), "10.0.1.0/24");
    assert_eq!(
        string(attr(&y, "Sg", "GroupDescription")),
        "admin from 0.0.0.0/0 in ${Literal}"
    );
    assert_eq!(
        string(attr(&y, "Sg", "SecurityGroupIngress.0.FromPort")),
        "22"
    );
    assert_eq!(
        attr(&y, "Sg", "SecurityGroupIngress")
            .as_list()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(string(attr(&y, "Sg", "Tags.1.Value")), "0.0.0.0,0");
    assert!(reason(attr(&y, "Sg", "Tags.0.Value")).contains("'Environment'"));
    assert_eq!(
        string(attr(&y, "Web", "UserData")),
        "#!/bin/bash\necho hello\n"
    );
    assert!(resource(&y, "Web").attr("KeyName").is_none());
}

/// Attributes with spans and origins dropped, as JSON.
fn plain_attrs(r: &Resource) -> String {
    fn plain(v: &Val) -> serde_json::Value {
        match &v.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(n) => (*n).into(),
            Value::String(s) => s.clone().into(),
            Value::List(l) => l.iter().map(plain).collect(),
            Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), plain(v))).collect(),
            Value::Ref(r) => format!(
                "ref {} {}",
                r.key.rsplit("::").next().unwrap_or_default(),
                r.attr
            )
            .into(),
            Value::Unknown(u) => serde_json::json!({
                "unknown": u.reason,
                "candidates": u.candidates.iter().map(plain).collect::<Vec<_>>(),
            }),
        }
    }
    r.attrs
        .iter()
        .map(|(k, v)| (k.clone(), plain(v)))
        .collect::<serde_json::Map<_, _>>()
        .into_iter()
        .collect::<serde_json::Value>()
        .to_string()
}

#[test]
fn bom_templates_keep_spans() {
    let text = "\u{feff}Resources:\n  A:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n";
    let l = lower(text);
    let r = resource(&l, "A");
    assert_eq!(&text[r.span.range()], "A");
    assert_eq!(
        &text[attr(&l, "A", "CidrBlock").span.range()],
        "10.0.0.0/16"
    );
}

#[test]
fn deep_intrinsic_nesting_is_bounded() {
    let depth = 190;
    let value = "!Base64 [".repeat(depth) + "x" + &"]".repeat(depth);
    let text = template("", &format!("      Deep: {value}"));
    let l = lower(&text);
    assert!(l.errors.is_empty());
    assert!(resource(&l, "R").attr("Deep").is_some());

    // Deep values that reach each other through Fn::GetAtt stay within the depth limit.
    let deep = |inner: &str| "!Base64 [".repeat(depth) + inner + &"]".repeat(depth);
    let text = format!(
        "Resources:\n  A:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {}\n  B:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {}\n",
        deep("!GetAtt B.CidrBlock"),
        deep("!GetAtt A.CidrBlock")
    );
    let l = lower(&text);
    assert!(l.errors.is_empty());
    assert_eq!(l.unknowns.get("other"), Some(&2));
}
