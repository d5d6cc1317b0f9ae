//! Keystore tests: the Web3 Secret Storage v3 spec vectors, round trips, and error handling.

use hechain_crypto::keystore::{self, KdfStrength};
use hechain_crypto::{hexser, keccak256, sm3, sm4_ctr_apply, AccountKey, AccountScheme, CryptoError};

const SPEC_PASSWORD: &str = "testpassword";
const SPEC_SECRET: &str = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
const SPEC_ADDRESS: &str = "008aeeda4d805471df9b2a5b0f38a0c3bcba786b";

/// Web3 Secret Storage Definition (ethereum.org, "Test vectors", PBKDF2-SHA-256).
const SPEC_PBKDF2: &str = r#"{
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": { "iv": "6087dab2f9fdbbfaddc31a909735c1e6" },
    "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    "kdf": "pbkdf2",
    "kdfparams": {
      "c": 262144,
      "dklen": 32,
      "prf": "hmac-sha256",
      "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
    },
    "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
}"#;

// Note on the *current* ethereum.org scrypt vector (iv 740770fc…, salt 25710c2c…, r = 8,
// p = 1, mac 337aeb86…): it is not decryptable by geth or any RFC 7914 scrypt. Its published
// intermediate "Derived key" 7446f59e… is scrypt over the salt's hex *text* (64 ASCII bytes)
// rather than the 32 decoded bytes — an artefact of the tool used to regenerate it
// (ethereum-org-website PR #10825). Recomputing with the decoded salt gives b4130dc8…, so the
// MAC cannot match. We therefore test with the original wiki scrypt vector below, which real
// implementations (geth, ethers, eth-keyfile) decrypt.

/// The scrypt vector of the original ethereum/wiki "Web3 Secret Storage Definition" page
/// (n = 2^18, r = 1, p = 8), still used by many wallets' test suites.
const WIKI_SCRYPT: &str = r#"{
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": { "iv": "83dbcc02d8ccb40e466191a123791e0e" },
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    "kdf": "scrypt",
    "kdfparams": {
      "dklen": 32,
      "n": 262144,
      "r": 1,
      "p": 8,
      "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
    },
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
}"#;

fn assert_spec_key(key: &AccountKey) {
    assert_eq!(key.scheme(), AccountScheme::Secp256k1);
    assert_eq!(hex::encode(*key.secret_bytes()), SPEC_SECRET);
    assert_eq!(hex::encode(key.address()), SPEC_ADDRESS);
}

#[test]
fn spec_vector_pbkdf2() {
    assert_spec_key(&keystore::decrypt(SPEC_PBKDF2, SPEC_PASSWORD).unwrap());
    assert!(matches!(keystore::decrypt(SPEC_PBKDF2, "testpassword!"), Err(CryptoError::WrongPassphrase)));
}

#[test]
fn wiki_vector_scrypt() {
    // n = 2^18: 32 MiB per lane, 8 lanes; about a second with optimised dependencies.
    assert_spec_key(&keystore::decrypt(WIKI_SCRYPT, SPEC_PASSWORD).unwrap());
}

#[test]
fn spec_vector_with_address_and_capital_crypto() {
    // Some wallets write "Crypto"; geth-written files carry the address.
    let mut v: serde_json::Value = serde_json::from_str(SPEC_PBKDF2).unwrap();
    let crypto = v["crypto"].take();
    let obj = v.as_object_mut().unwrap();
    obj.remove("crypto");
    obj.insert("Crypto".into(), crypto);
    obj.insert("address".into(), SPEC_ADDRESS.into());
    assert_spec_key(&keystore::decrypt(&v.to_string(), SPEC_PASSWORD).unwrap());

    // An address that does not match the key is an error naming the field.
    v["address"] = "0000000000000000000000000000000000000001".into();
    let err = keystore::decrypt(&v.to_string(), SPEC_PASSWORD).unwrap_err();
    assert!(matches!(&err, CryptoError::Keystore(m) if m.contains("address")), "{err}");
}

fn scrypt_light(pass: &str, salt: &[u8]) -> Vec<u8> {
    let params = scrypt::Params::new(12, 8, 1).unwrap();
    let mut dk = vec![0u8; 32];
    scrypt::scrypt(pass.as_bytes(), salt, &params, &mut dk).unwrap();
    dk
}

#[test]
fn secp256k1_round_trip_has_v3_layout() {
    let key = AccountKey::generate(AccountScheme::Secp256k1);
    let json = keystore::encrypt(&key, "pw", KdfStrength::Light).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 3);
    assert_eq!(v["address"], hex::encode(key.address()));
    assert!(v.get("scheme").is_none());
    let id = uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 4);
    let c = &v["crypto"];
    assert_eq!(c["cipher"], "aes-128-ctr");
    assert_eq!(c["kdf"], "scrypt");
    assert_eq!(c["kdfparams"]["n"], 4096);
    assert_eq!(c["kdfparams"]["r"], 8);
    assert_eq!(c["kdfparams"]["p"], 1);
    assert_eq!(c["kdfparams"]["dklen"], 32);
    assert_eq!(c["cipherparams"]["iv"].as_str().unwrap().len(), 32);
    assert_eq!(c["kdfparams"]["salt"].as_str().unwrap().len(), 64);

    // Independent check of the MAC formula: keccak256(dk[16..32] || ciphertext).
    let salt = hexser::decode(c["kdfparams"]["salt"].as_str().unwrap()).unwrap();
    let ct = hexser::decode(c["ciphertext"].as_str().unwrap()).unwrap();
    let dk = scrypt_light("pw", &salt);
    let mut body = dk[16..32].to_vec();
    body.extend_from_slice(&ct);
    assert_eq!(hex::encode(keccak256(&body)), c["mac"].as_str().unwrap());

    let back = keystore::decrypt(&json, "pw").unwrap();
    assert_eq!(*back.secret_bytes(), *key.secret_bytes());
    assert!(matches!(keystore::decrypt(&json, "pW"), Err(CryptoError::WrongPassphrase)));
}

#[test]
fn sm2_round_trip_uses_sm4_and_sm3() {
    let key = AccountKey::generate(AccountScheme::Sm2);
    let json = keystore::encrypt(&key, "密码 passphrase", KdfStrength::Light).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["scheme"], "sm2");
    assert_eq!(v["version"], 3);
    assert_eq!(v["address"], hex::encode(key.address()));
    let c = &v["crypto"];
    assert_eq!(c["cipher"], "sm4-ctr");

    // Independent check: mac = sm3(dk[16..32] || ct), plaintext = SM4-CTR(dk[0..16], iv, ct).
    let salt = hexser::decode(c["kdfparams"]["salt"].as_str().unwrap()).unwrap();
    let mut ct = hexser::decode(c["ciphertext"].as_str().unwrap()).unwrap();
    let iv: [u8; 16] = hexser::decode_fixed(c["cipherparams"]["iv"].as_str().unwrap()).unwrap();
    let dk = scrypt_light("密码 passphrase", &salt);
    let mut body = dk[16..32].to_vec();
    body.extend_from_slice(&ct);
    assert_eq!(hex::encode(sm3(&body)), c["mac"].as_str().unwrap());
    let k: [u8; 16] = dk[..16].try_into().unwrap();
    sm4_ctr_apply(&k, &iv, &mut ct);
    assert_eq!(ct, key.secret_bytes().to_vec());

    let back = keystore::decrypt(&json, "密码 passphrase").unwrap();
    assert_eq!(back.scheme(), AccountScheme::Sm2);
    assert_eq!(back.address(), key.address());
    assert!(matches!(keystore::decrypt(&json, "wrong"), Err(CryptoError::WrongPassphrase)));
}

fn light_json() -> serde_json::Value {
    let key = AccountKey::generate(AccountScheme::Secp256k1);
    serde_json::from_str(&keystore::encrypt(&key, "pw", KdfStrength::Light).unwrap()).unwrap()
}

fn keystore_err(json: &str) -> String {
    match keystore::decrypt(json, "pw") {
        Err(CryptoError::Keystore(m)) => m,
        other => panic!("expected a Keystore error, got {other:?}"),
    }
}

#[test]
fn malformed_files_are_errors_naming_the_field() {
    for bad in ["", "not json", "[]", "{}", "{\"version\":3}", "null"] {
        keystore_err(bad);
    }

    let mutate = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = light_json();
        f(&mut v);
        keystore_err(&v.to_string())
    };
    type Mutation = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "ciphertext",
            Box::new(|v| {
                v["crypto"].as_object_mut().unwrap().remove("ciphertext");
            }),
        ),
        ("crypto.ciphertext", Box::new(|v| v["crypto"]["ciphertext"] = "zz".into())),
        ("crypto.ciphertext", Box::new(|v| v["crypto"]["ciphertext"] = "0011".into())),
        ("crypto.cipherparams.iv", Box::new(|v| v["crypto"]["cipherparams"]["iv"] = "00".into())),
        ("crypto.mac", Box::new(|v| v["crypto"]["mac"] = "xyz".into())),
        ("version", Box::new(|v| v["version"] = 2.into())),
        ("version", Box::new(|v| v["version"] = "three".into())),
        ("crypto.cipher", Box::new(|v| v["crypto"]["cipher"] = "aes-128-cbc".into())),
        ("crypto.cipher", Box::new(|v| v["scheme"] = "sm2".into())),
        ("scheme", Box::new(|v| v["scheme"] = "rsa".into())),
        ("crypto.kdf", Box::new(|v| v["crypto"]["kdf"] = "argon2".into())),
        ("crypto.kdfparams.n", Box::new(|v| v["crypto"]["kdfparams"]["n"] = 1000.into())),
        ("crypto.kdfparams", Box::new(|v| v["crypto"]["kdfparams"]["n"] = (1u64 << 30).into())),
        ("crypto.kdfparams", Box::new(|v| v["crypto"]["kdfparams"]["r"] = 0.into())),
        (
            "crypto.kdfparams",
            Box::new(|v| {
                v["crypto"]["kdfparams"].as_object_mut().unwrap().remove("salt");
            }),
        ),
        ("crypto.kdfparams.salt", Box::new(|v| v["crypto"]["kdfparams"]["salt"] = "q".into())),
        ("crypto.kdfparams.dklen", Box::new(|v| v["crypto"]["kdfparams"]["dklen"] = 16.into())),
        ("crypto.kdfparams", Box::new(|v| v["crypto"]["kdfparams"] = "scrypt".into())),
        ("address", Box::new(|v| v["address"] = "0x1234".into())),
    ];
    for (field, f) in cases {
        let msg = mutate(f.as_ref());
        assert!(msg.contains(field), "expected {field:?} in {msg:?}");
    }

    // pbkdf2 parameter checks.
    let mut v: serde_json::Value = serde_json::from_str(SPEC_PBKDF2).unwrap();
    v["crypto"]["kdfparams"]["prf"] = "hmac-sha512".into();
    assert!(keystore_err(&v.to_string()).contains("crypto.kdfparams.prf"));
    v["crypto"]["kdfparams"]["prf"] = "hmac-sha256".into();
    v["crypto"]["kdfparams"]["c"] = 0.into();
    assert!(keystore_err(&v.to_string()).contains("crypto.kdfparams.c"));
}
