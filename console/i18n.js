// Bilingual labels (中文 / English). The language is the user's choice (kept in localStorage),
// else Chinese when the browser asks for it, else English. Keys without an entry show as written.

const DICT = {
  overview: ['概览', 'Overview'], network: ['网络', 'Network'], evidence: ['存证', 'Evidence'],
  verify: ['证书验证', 'Verify certificate'], trace: ['溯源', 'Traceability'], vouchers: ['应收凭证', 'Vouchers'],
  copyright: ['版权', 'Copyright'], ecerts: ['电子证照', 'E-certificates'], invoices: ['电子发票', 'E-invoices'],
  governance: ['治理', 'Governance'], search: ['搜索', 'Search'],
  search_hint: ['区块高度 / 哈希 / 地址 / 存证哈希 / 商品码 / 凭证·作品·发票编号', 'height / hash / address / evidence hash / item code / voucher, work, invoice id'],
  chain_id: ['链 ID', 'Chain id'], suite: ['密码套件', 'Suite'], height: ['区块高度', 'Height'], epoch: ['成员纪元', 'Epoch'],
  validators: ['验证节点', 'Validators'], observers: ['观察节点', 'Observers'], validator: ['验证节点', 'validator'], observer: ['观察节点', 'observer'], pending: ['待打包交易', 'Pending txs'],
  tps: ['TPS', 'TPS'], block_time: ['出块间隔', 'Block time'], latest_blocks: ['最新区块', 'Latest blocks'],
  latest_txs: ['最新交易', 'Latest transactions'], txs: ['交易数', 'Txs'], time: ['时间', 'Time'], hash: ['哈希', 'Hash'],
  type: ['类型', 'Type'], sender: ['发送方', 'Sender'], block: ['区块', 'Block'], transaction: ['交易', 'Transaction'],
  account: ['账户', 'Account'], receipt: ['回执', 'Receipt'], events: ['事件', 'Events'], logs: ['日志', 'Logs'],
  payload: ['交易内容', 'Payload'], status: ['状态', 'Status'], balance: ['余额', 'Balance'], nonce: ['Nonce', 'Nonce'],
  roles: ['角色', 'Roles'], frozen: ['冻结', 'Frozen'], yes: ['是', 'yes'], no: ['否', 'no'], none: ['无', 'none'],
  prev: ['上一块', 'Previous'], next: ['下一块', 'Next'], seal: ['共识签名', 'Seal'], signed_by: ['签名验证节点', 'Signed by'],
  not_found: ['未找到', 'Not found'], loading: ['加载中…', 'Loading…'], error: ['错误', 'Error'],
  live: ['实时', 'live'], contract: ['合约', 'Contract'], code_size: ['代码大小 (字节)', 'Code size (bytes)'],
  records: ['链上记录', 'Records'], org: ['机构', 'Organisation'], orgs: ['机构', 'Organisations'],
  node: ['节点', 'Node'], role: ['角色', 'Role'], round: ['轮次', 'Round'], leader: ['出块节点', 'Leader'],
  peers: ['连接', 'Peers'], connected: ['已连接', 'connected'], disconnected: ['未连接', 'disconnected'],
  health: ['健康状况', 'Health'], healthy: ['正常', 'healthy'], degraded: ['降级', 'degraded'], halted: ['停滞', 'halted'],
  behind: ['落后 {n} 块', '{n} blocks behind'], missing: ['验证节点离线', 'validator missing'],
  timeouts: ['轮次连续超时', 'rounds timing out'], safety: ['安全违规计数 > 0', 'safety violations > 0'],
  solo: ['单节点开发链 (dev)', 'single-node development chain (dev)'], this_node: ['本节点', 'this node'],
  quorum: ['法定票数', 'Quorum'], syncing: ['同步中', 'syncing'],
  drop_file: ['拖入文件，或点击选择。文件在浏览器内用链的哈希算法计算，不会上传。', 'Drop a file here, or click to choose. It is hashed in your browser with the chain\'s hash and never uploaded.'],
  hashing: ['计算哈希…', 'Hashing…'], content_hash: ['内容哈希', 'Content hash'],
  on_chain: ['已在链上存证', 'Recorded on chain'], not_on_chain: ['此文件未在链上存证', 'This file is not recorded on chain'],
  recorded_at: ['存证时间', 'Recorded at'], submitter: ['提交者', 'Submitter'], download_cert: ['下载存证证书', 'Download certificate'],
  cli_does_same: ['命令行可完成同样操作：', 'The CLI does the same:'],
  drop_cert: ['拖入证书文件 (JSON)，在浏览器内离线验证。', 'Drop a certificate file (JSON) to verify it offline in your browser.'],
  genesis_used: ['验证所用创世文件', 'Genesis used'], genesis_node: ['本节点的创世文件', 'this node\'s genesis'],
  genesis_choose: ['改用自己的创世文件…', 'Use your own genesis file…'],
  cert_valid: ['证书有效', 'Certificate valid'], cert_invalid: ['证书无效', 'Certificate invalid'], reason: ['原因', 'Reason'],
  item_code: ['商品码', 'Item code'], lookup: ['查询', 'Look up'], custody: ['流转记录', 'Custody history'],
  custodian: ['当前持有方', 'Custodian'], product: ['产品', 'Product'], producer: ['生产方', 'Producer'],
  recalled: ['已召回', 'Recalled'], history_verified: ['历史已验证', 'History verified'], scan_me: ['扫码查看此页', 'Scan to open this page'],
  voucher: ['凭证', 'Voucher'], split_tree: ['拆分树', 'Split tree'], amount: ['金额', 'Amount'], holder: ['持有方', 'Holder'],
  work: ['作品', 'Work'], licenses: ['许可', 'Licences'], ecert: ['电子证照', 'E-certificate'], audit: ['访问审计', 'Access audit'],
  invoice: ['发票', 'Invoice'], id: ['编号', 'Id'], open: ['打开', 'Open'],
  committee: ['治理委员会', 'Committee'], threshold: ['通过阈值', 'Threshold'], proposals: ['提案', 'Proposals'],
  proposal: ['提案', 'Proposal'], votes: ['投票', 'Votes'], outcome: ['结果', 'Outcome'], members: ['成员', 'Members'],
  membership: ['成员与纪元', 'Membership'], weight: ['权重', 'Weight'], action: ['操作', 'Action'],
  token_needed: ['此节点的 API 需要令牌 (token)：', 'This node\'s API needs a token:'], save: ['保存', 'Save'],
  matches: ['匹配结果', 'Matches'], no_match: ['没有匹配的区块、交易、账户或记录', 'Nothing matches: no block, transaction, account or record'],
  wallet: ['浏览器钱包', 'Browser wallet'], no_wallet: ['未检测到浏览器钱包 (EIP-1193)。', 'No browser wallet (EIP-1193) found.'],
  wallet_present: ['已检测到浏览器钱包 (EIP-1193)：未存证的文件可由钱包签名存证。', 'A browser wallet (EIP-1193) is present: a file not yet on chain can be registered, signed by the wallet.'],
  wallet_register: ['用钱包签名存证', 'Register, signed by the wallet'], wallet_signing: ['请在钱包中确认…', 'Confirm in the wallet…'],
  wallet_sent: ['已发送，等待上链：', 'Sent, waiting for the block:'], wallet_failed: ['交易失败：', 'The transaction failed:'],
  wallet_chain: ['钱包连接的是链 {wallet}，本节点是链 {node}', 'The wallet is on chain {wallet}, this node is chain {node}'],
  title: ['标题', 'Title'], epochs: ['成员纪元历史', 'Membership epochs'], start_height: ['起始高度', 'Start height'], vote_yes: ['用钱包投赞成票', 'Vote yes with the wallet'], vote_no: ['用钱包投反对票', 'Vote no with the wallet'], code_hash: ['代码哈希 (Keccak-256)', 'Code hash (Keccak-256)'],
  drop_abi: ['拖入合约的 ABI 或编译产物 (JSON) 以解码事件（保存在本浏览器）。', 'Drop the contract\'s ABI or build artifact (JSON) to decode its events (kept in this browser).'],
  not_abi: ['不是 ABI 或含 abi 的编译产物', 'not an ABI, nor an artifact with an abi'], abi_known: ['已知 ({n} 项)', 'known ({n} entries)'],
  xchain: ['跨链', 'Cross-chain'], xc_clients: ['轻客户端 (其他链)', 'Light clients (of other chains)'],
  xc_channels: ['通道', 'Channels'], xc_channel: ['通道', 'Channel'], xc_genesis: ['对方链创世哈希', 'Their genesis'],
  xc_latest: ['已验证最高区块', 'Highest verified header'], xc_active: ['正常', 'active'], xc_port: ['端口', 'Port'],
  xc_other_end: ['对端', 'Other end'], xc_client: ['轻客户端', 'Client'], xc_order: ['顺序', 'Order'],
  xc_sent: ['已发送', 'Sent'], xc_acked: ['已确认', 'Acknowledged'], xc_pending: ['待确认数据包', 'Pending packets'],
  xc_sequence: ['序号', 'Sequence'], xc_to: ['目标', 'To'], xc_timeout: ['超时', 'Timeout'], xc_bytes: ['字节', 'Bytes'],
  last_blocks: ['最近 {n} 个区块', 'last {n} blocks'], sent_txs: ['发出的交易', 'Transactions sent'], older: ['更早', 'Older'],
};

export let lang = pick();

function pick() {
  const saved = localStorage.getItem('hechain.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  const asked = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  return asked.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

export function setLang(l) {
  lang = l;
  localStorage.setItem('hechain.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/** The label of `key` in the current language, with `{name}` filled from `vars`. */
export function t(key, vars = {}) {
  const e = DICT[key];
  let s = e ? e[lang === 'zh' ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}
